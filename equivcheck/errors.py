"""Exceptions with a fixed meaning for the CLI's exit codes (0 equivalent, 1 divergence, 2 setup)."""

from __future__ import annotations


class EquivcheckError(Exception):
    """Base class: a problem with the run itself, never a divergence.

    Any exception an adapter raises may carry `evidence` (JSON-able: an input log, a stderr
    tail); a crash divergence keeps it, so the backend's own replay material reaches the report.
    """

    exit_code = 2


class SetupError(EquivcheckError):
    """A reference or candidate cannot be installed or started (missing Node, failed download).

    Never a divergence: raised during an episode, it ends the run as an error (exit 2).
    """


class UsageError(EquivcheckError):
    """The user asked for something that does not exist or does not fit (unknown adapter, bad flag)."""


class CapabilityError(EquivcheckError):
    """A runner needs an optional adapter capability (restore, batch stepping) that is missing."""


class ActionError(EquivcheckError):
    """An action does not fit the adapter's action space (wrong shape, out of range)."""


class ReportDirError(UsageError):
    """The report directory is a file, sits under a file, or cannot be written."""


class WorkerError(EquivcheckError):
    """A --jobs worker process died without an answer (a backend crashed the whole process)."""


class VacuousRunError(EquivcheckError):
    """The reference's rollouts did not meet the case's liveness conditions: nothing was tested."""
