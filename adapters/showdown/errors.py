"""Errors of the Showdown reference adapter; each has exit code 2 (a problem with the run)."""

from __future__ import annotations

from equivcheck.errors import EquivcheckError


class ShowdownError(EquivcheckError):
    """Base class of this adapter's run errors."""


class ReferenceProcessDied(ShowdownError):
    """The Node process died mid-run; carries each open battle's input log (Showdown's format)."""

    def __init__(
        self,
        message: str,
        returncode: int | None = None,
        stderr_tail: str = "",
        input_logs: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        self.input_logs: dict[str, list[str]] = dict(input_logs or {})

    @property
    def evidence(self) -> dict[str, object]:
        """What the framework attaches to a crash divergence: every open battle's input log."""
        return {"input_logs": self.input_logs, "returncode": self.returncode, "stderr_tail": self.stderr_tail}


class DriverTimeout(ShowdownError):
    """The driver did not answer in time; the process was stopped."""

    def __init__(self, message: str, input_logs: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.input_logs: dict[str, list[str]] = dict(input_logs or {})

    @property
    def evidence(self) -> dict[str, object]:
        """Every open battle's input log, for the crash divergence."""
        return {"input_logs": self.input_logs}


class DriverError(ShowdownError):
    """Showdown raised inside one battle (a simulator exception), or the driver broke protocol."""

    def __init__(
        self, message: str, battle: str | None = None, stack: str = "", input_log: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.battle = battle
        self.stack = stack
        self.input_log: list[str] = list(input_log or [])

    @property
    def evidence(self) -> dict[str, object]:
        """The failing battle's input log and Showdown's stack, for the crash divergence."""
        return {"battle": self.battle, "input_log": self.input_log, "stack": self.stack}
