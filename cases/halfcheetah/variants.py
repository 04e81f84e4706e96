"""Registers the HalfCheetah case variants (per-field tolerance overrides) when imported.

    EQUIVCHECK_PLUGINS=cases.halfcheetah.variants equivcheck diff --case halfcheetah-f32 \
        --ref mujoco-halfcheetah --cand mujoco-mjx --episodes 100 --steps 1000 --jobs 2

EQUIVCHECK_PLUGINS makes the registration reach --jobs worker processes too.
"""

from __future__ import annotations

from cases.halfcheetah.case import FLOAT32
from equivcheck import registry

registry.register_case(FLOAT32.name, FLOAT32)
