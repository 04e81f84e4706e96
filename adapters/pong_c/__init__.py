"""pong-c: PufferLib 2.0.2's C Pong (pong.h from the wheel, compiled with our shim) as the reference.

Nothing here builds on import; `ensure_installed()` (or PongC.setup / first use) does.
"""

from adapters.pong_c.adapter import PongC
from adapters.pong_c.build import ensure_installed

__all__ = ["PongC", "ensure_installed"]
