"""The state codec both adapters rely on: PyBoy's save_state decodes and re-encodes byte for byte,
EmuRust restored from it reports the same fields, and a changed field shows up."""

from __future__ import annotations

import numpy as np
import pytest

from adapters import gb_common as gc
from adapters import gb_state


@pytest.mark.tier("property")
def test_codec_round_trip_and_cross_restore() -> None:
    from adapters.emurust import EmuRust
    from adapters.pyboy import PyBoyAdapter

    ref, cand = PyBoyAdapter(), EmuRust()
    try:
        ref.reset(3)
        for a in [1, 1, 2, 5, 0, 3]:
            ref.step(a)
        import io
        buf = io.BytesIO()
        ref.pb.save_state(buf)
        blob = buf.getvalue()
        state = gb_state.decode(blob, ref.rom[:0x150])
        assert gb_state.encode(state, state, ref.rom[:0x150]) == blob
        snap = ref.snapshot()
        cand.reset(3)
        cand.restore(snap)
        back = cand.snapshot()
        assert set(back) == set(snap)
        bad = [k for k in snap if not np.array_equal(np.asarray(snap[k]), np.asarray(back[k]))]
        assert bad == []
        changed = dict(snap)
        changed["cpu.A"] = (int(snap["cpu.A"]) + 1) & 0xFF
        cand.restore(changed)
        assert cand.snapshot()["cpu.A"] != snap["cpu.A"]
        assert gc.to_state(snap)["mem.wram"] == state["mem.wram"]
    finally:
        ref.close()
        cand.close()
