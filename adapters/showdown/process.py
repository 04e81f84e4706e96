"""The driver process: one persistent `node driver.js`, JSON lines over its stdin and stdout."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.showdown.errors import DriverError, DriverTimeout, ReferenceProcessDied
from adapters.showdown.node import DRIVER_JS, NodeRuntime
from equivcheck.errors import SetupError

_loads = json.loads
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class DriverProcess:
    """A running driver. `call(op, **payload)` sends one request and returns its response.

    SetupError when the process cannot be started at all (the Node executable is gone).
    """

    def __init__(self, runtime: NodeRuntime, modules: Path, mutate: str | None = None, timeout: float = 60.0) -> None:
        self.runtime = runtime
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        cmd = [str(runtime.node), str(DRIVER_JS), "--modules", str(modules)]
        if mutate:
            cmd += ["--mutate", mutate]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as exc:
            raise SetupError(f"could not start the Showdown driver with {runtime.node}: {exc}") from None
        self._fd = self.proc.stdout.fileno()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buf = bytearray()
        self._next = 0
        self.dead = False

    @property
    def pid(self) -> int:
        """The Node process id."""
        return self.proc.pid

    def call(self, op: str, timeout: float | None = None, **payload: Any) -> dict:
        """Send one request and wait for its answer; protocol errors raise DriverError."""
        if self.dead:
            raise self._died(op)
        self._next += 1
        payload["id"] = self._next
        payload["op"] = op
        data = _dumps(payload).encode() + b"\n"
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            raise self._died(op) from None
        line = self._readline(op, self.timeout if timeout is None else timeout)
        resp = _loads(line)
        if resp.get("id") != self._next:
            self.kill()
            raise DriverError(
                f"Showdown driver answered request {resp.get('id')} to request {self._next} ({op}); "
                "the process was stopped"
            )
        if not resp.get("ok"):
            err = resp.get("error") or {}
            msg = (str(err.get("message", "")).strip().splitlines() or ["?"])[0]
            raise DriverError(
                f"Showdown driver {err.get('type', 'error')} in {op}: {msg}",
                battle=err.get("bid"),
                stack=err.get("stack", ""),
            )
        return resp

    def _readline(self, op: str, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        buf = self._buf
        while True:
            nl = buf.find(b"\n")
            if nl >= 0:
                line = bytes(buf[:nl])
                del buf[: nl + 1]
                return line
            left = deadline - time.monotonic()
            if left <= 0 or not self._sel.select(left):
                self.kill()
                raise DriverTimeout(
                    f"Showdown driver did not answer {op!r} within {timeout:g} s; the process was stopped"
                )
            chunk = os.read(self._fd, 1 << 20)
            if not chunk:
                raise self._died(op)
            buf += chunk

    def _died(self, op: str) -> ReferenceProcessDied:
        self.dead = True
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        tail = self.stderr_tail()
        last = tail.strip().splitlines()[-1] if tail.strip() else "no stderr"
        return ReferenceProcessDied(
            f"Showdown driver (pid {self.proc.pid}) died during {op!r} with exit code {code}: {last}",
            returncode=code,
            stderr_tail=tail,
        )

    def stderr_tail(self, limit: int = 4000) -> str:
        """The last `limit` characters the process wrote to stderr."""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - limit))
            return self._stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        """Stop the process now."""
        self.dead = True
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """End the process (closing stdin lets it exit by itself) and release the pipes."""
        if self.proc.poll() is None and not self.dead:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._sel.close()
        self._stderr.close()
