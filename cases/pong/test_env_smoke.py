"""Quick checks of the Pong pair: the reference really plays, glibc rand() is emulated bit for bit,
the shim equals the wheel's compiled CyPong, and pong-jax equals pong-c exactly, step for step.
"""

from __future__ import annotations

import ctypes

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adapters.pong_c import PongC
from adapters.pong_c.lib import PongHandle, PongParams
from adapters.pong_jax import PongJax
from envs.pongjax import env as pong_env
from envs.pongjax import glibc_rand
from envs.pongjax.scripted import spin_action
from equivcheck.errors import ActionError, SetupError

SEEDS = [0, 1, 42, 12345, 2**31 - 1, 2**31, 2**32 - 1]


@pytest.fixture(scope="module")
def libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(None)
    lib.srand.argtypes = [ctypes.c_uint]
    lib.rand.restype = ctypes.c_int
    return lib


def _diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> str | None:
    assert a.keys() == b.keys()
    for key in a:
        if a[key].dtype != b[key].dtype or a[key].shape != b[key].shape:
            return f"{key}: {a[key].dtype}{a[key].shape} vs {b[key].dtype}{b[key].shape}"
        if not np.array_equal(a[key], b[key]):
            return f"{key}: {a[key]} vs {b[key]}"
    return None


def test_reference_really_moves() -> None:
    """Liveness on pong-c: the ball moves, both scores change, rewards of both signs, an episode ends."""
    env = PongC()
    rng = np.random.default_rng(0)
    obs = env.reset(7)
    start = env.snapshot()
    ball_positions = set()
    rewards: set[float] = set()
    max_l = max_r = 0
    ends = 0
    for _ in range(20_000):
        obs, reward, terminated, _, _ = env.step(spin_action(obs, rng, epsilon=0.2))
        rewards.add(round(float(reward), 3))
        snap = env.snapshot()
        ball_positions.add((float(snap["ball.x"]), float(snap["ball.y"])))
        max_l, max_r = max(max_l, int(snap["score.l"])), max(max_r, int(snap["score.r"]))
        ends += bool(terminated)
        if ends and max_l and max_r and {-1.0, 1.0, 0.1} <= rewards:
            break
    assert len(ball_positions) > 100, "the ball does not move"
    assert max_l > 0 and max_r > 0, f"scores did not both change (left {max_l}, right {max_r})"
    assert {-1.0, 1.0, 0.1} <= rewards, f"rewards seen: {sorted(rewards)}"
    assert ends >= 1, "no episode ended"
    assert float(start["ball.x"]) == 100.0 and float(start["ball.vx"]) == 10.0


def test_random_actions_never_score_but_lose() -> None:
    """With random actions the agent loses points and bounces the ball (the documented liveness trap)."""
    h = PongHandle(4, per_env_rng=True)
    for i in range(4):
        h.init(i)
        h.srand(i, i)
        h.reset(i)
    acts = np.random.default_rng(1).integers(0, 3, size=(3000, 4)).astype(np.int32)
    rewards = []
    for a in acts:
        h.step(a)
        rewards.append(h.rewards.copy())
    r = np.asarray(rewards)
    assert (r == -1).any() and np.isclose(r, 0.1).any()


@pytest.mark.parametrize("seed", SEEDS)
def test_glibc_rand_emulation_equals_libc(libc: ctypes.CDLL, seed: int) -> None:
    libc.srand(seed)
    expected = np.array([libc.rand() for _ in range(700)], dtype=np.int32)
    _, got = glibc_rand.rand_n(glibc_rand.srand(np.uint32(seed)), 700)
    np.testing.assert_array_equal(np.asarray(got), expected)


def test_shared_stream_draws_equal_libc(libc: ctypes.CDLL) -> None:
    need = jnp.asarray(np.random.default_rng(3).random(200) < 0.3)
    state = glibc_rand.srand(np.uint32(99))
    coeffs = jnp.asarray(glibc_rand.sequence_coefficients(200 + 63))
    state, values = glibc_rand.draw_masked_shared(state, need, coeffs)
    libc.srand(99)
    expected = [libc.rand() for _ in range(int(need.sum()))]
    np.testing.assert_array_equal(np.asarray(values)[np.asarray(need)], expected)
    _, after = glibc_rand.rand_n(state, 40)
    np.testing.assert_array_equal(np.asarray(after), [libc.rand() for _ in range(40)])


@pytest.mark.parametrize("seed", [0, 5, 2**32 - 1])
def test_shim_rng_state_is_glibc_layout(seed: int) -> None:
    h = PongHandle(1)
    h.srand(seed)
    draws = [h.rand() for _ in range(45)]
    fields = h.get(0)
    state = glibc_rand.srand(np.uint32(seed))
    state, expected = glibc_rand.rand_n(state, 45)
    assert draws == [int(v) for v in np.asarray(expected)]
    np.testing.assert_array_equal(fields["rng_table"], np.asarray(state.table))
    assert int(fields["rng_rptr"]) == int(state.rptr)


def test_shim_equals_shipped_cypong() -> None:
    """The wheel's own compiled module, 8 envs on one stream, equals the shim and pongjax's shared mode."""
    from adapters.pong_c.cypong import ShippedPong

    try:
        shipped = ShippedPong(8)
    except SetupError as exc:
        pytest.skip(f"the shipped cy_pong cannot be loaded here: {exc}")
    shim = PongHandle(8)
    shipped.reset(11)
    shim.init()
    shim.srand(11)
    shim.reset()
    state, obs = jax.jit(pong_env.reset_shared, static_argnums=1)(11, 8)
    step_shared = jax.jit(pong_env.step_shared)
    np.testing.assert_array_equal(shipped.obs, shim.obs)
    np.testing.assert_array_equal(np.asarray(obs), shim.obs)
    first = shipped.obs.copy()
    acts = np.random.default_rng(2).integers(0, 3, size=(400, 8)).astype(np.int32)
    points = 0
    for t, a in enumerate(acts):
        shipped.step(a)
        shim.step(a)
        state, obs, reward, done = step_shared(state, jnp.asarray(a))
        assert np.array_equal(shipped.obs, shim.obs), t
        assert np.array_equal(shipped.rewards, shim.rewards), t
        assert np.array_equal(shipped.terminals, shim.terminals), t
        assert np.array_equal(np.asarray(obs), shim.obs), t
        assert np.array_equal(np.asarray(reward), shim.rewards), t
        points += int((shim.rewards == -1).sum())
    assert not np.array_equal(first, shipped.obs), "the shipped module never moved (glibc's step hijack?)"
    assert points > 0
    fields = shim.get(0)
    np.testing.assert_array_equal(fields["rng_table"], np.asarray(state.rng.table))


def _reference_rollout(seeds: np.ndarray, actions: np.ndarray, params: PongParams) -> list[dict[str, np.ndarray]]:
    ref = PongC(params)
    ref.reset_batch(seeds)
    snaps = []
    for a in actions:
        ref.step_batch(a)
        snaps.append(ref.snapshot_batch())
    ref.close()
    return snaps


@pytest.mark.parametrize("frameskip", [1, 4])
def test_jax_equals_reference_step_for_step(frameskip: int) -> None:
    """20 envs x T random-action steps (>= 20 episodes at frameskip 1), every field, every step, exact."""
    n_envs, steps = 20, (4000 if frameskip == 1 else 800)
    seeds = np.arange(100, 100 + n_envs)
    actions = np.random.default_rng(frameskip).integers(0, 3, size=(steps, n_envs)).astype(np.int32)
    ref = _reference_rollout(seeds, actions, PongParams(frameskip=frameskip))

    params = pong_env.make_params(frameskip=frameskip)
    cand = PongJax(params)
    cand.reset_batch(seeds)

    def body(s: pong_env.PongState, a: jax.Array) -> tuple[pong_env.PongState, pong_env.PongState]:
        s, _, _, _ = jax.vmap(pong_env.step, in_axes=(0, 0, None))(s, a, frameskip)
        return s, s

    _, states = jax.jit(lambda s, a: jax.lax.scan(body, s, a))(cand.batch, jnp.asarray(actions))
    states = pong_env.state_to_numpy(states)
    from adapters.pong_c.fields import to_snapshot

    ends = 0
    for t in range(steps):
        got = to_snapshot({k: v[t] for k, v in states.items()}, batch=True)
        problem = _diff(ref[t], got)
        assert problem is None, f"step {t + 1}: {problem}"
        ends += int(ref[t]["terminal"].sum())
    if frameskip == 1:
        assert ends >= 20, f"only {ends} episodes ended"
    assert any((r["reward"] == -1).any() for r in ref)


def test_restore_inject_and_actions() -> None:
    """A constructed state (from the reference) continues identically; bad actions raise ActionError."""
    ref, cand = PongC(), PongJax()
    ref.reset(3)
    rng = np.random.default_rng(4)
    for _ in range(150):
        ref.step(int(rng.integers(3)))
    snap = ref.snapshot()
    snap["ball.vy"] = np.float32(-12.0)
    snap["ball.x"] = np.float32(465.0)
    snap["paddle.yr"] = np.float32(600.0)
    ref.restore(snap)
    cand.restore(snap)
    assert _diff(ref.snapshot(), cand.snapshot()) is None
    for t in range(300):
        a = int(rng.integers(3))
        r1, r2 = ref.step(a), cand.step(a)
        assert r1.reward == r2.reward and r1.terminated == r2.terminated
        assert _diff(ref.snapshot(), cand.snapshot()) is None, t
    for bad in (3, -1, 1.5, np.array([1]), "1"):
        for side in (ref, cand):
            with pytest.raises(ActionError):
                side.step(bad)
    ref.reset_batch(np.arange(3))
    with pytest.raises(ActionError):
        ref.step_batch(np.array([0, 1]))
