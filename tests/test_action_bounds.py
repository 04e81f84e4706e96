"""An adapter's declared action space is enforced: a Box's bounds, a Discrete's range, and actions
that are not numbers or not rectangular are ActionErrors, never silently clipped or truncated."""

from __future__ import annotations

import numpy as np
import pytest

from equivcheck.adapter import Box, Discrete, JointDiscrete
from equivcheck.errors import ActionError

BOX = Box((6,), -1.0, 1.0)


@pytest.mark.parametrize("value", [5.0, -1000.0, 1.0001, -1.0001])
def test_box_rejects_a_component_outside_its_bounds(value: float) -> None:
    action = np.zeros(6)
    action[3] = value
    with pytest.raises(ActionError, match="component 3"):
        BOX.validate(action)


def test_box_accepts_its_bounds_and_inside() -> None:
    for action in (np.full(6, -1.0), np.full(6, 1.0), np.linspace(-1, 1, 6)):
        assert BOX.validate(action).shape == (6,)


@pytest.mark.parametrize("space, action", [(BOX, [[1.0], [1.0, 2.0]]), (BOX, "forward"), (Discrete(3), [[1], [1, 2]]),
                                           (Discrete(3), 1.5), (JointDiscrete(9), [[1], [1, 2]])])
def test_an_action_that_is_no_number_or_not_rectangular_is_an_action_error(space, action) -> None:
    with pytest.raises(ActionError):
        space.validate(action)


def test_mujoco_halfcheetah_enforces_its_box() -> None:
    pytest.importorskip("mujoco")
    pytest.importorskip("gymnasium")
    from adapters.mujoco_halfcheetah import MujocoHalfCheetah

    env = MujocoHalfCheetah()
    try:
        env.reset(0)
        for bad in (np.full(6, 5.0), np.array([-1000.0, 0, 0, 0, 0, 0])):
            with pytest.raises(ActionError, match="outside"):
                env.step(bad)
        env.step(np.full(6, 1.0))
    finally:
        env.close()
