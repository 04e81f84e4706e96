"""Collect the HalfCheetah tests only where the mujoco extra is installed (pip install -e '.[mujoco]')."""

from __future__ import annotations

import importlib.util

collect_ignore_glob = [] if all(importlib.util.find_spec(m) for m in ("mujoco", "gymnasium")) else ["test_*.py"]
