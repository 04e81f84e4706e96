"""The RL API (envs/pokejax/api.py, gym_env.py): its array-built state, JAX legal mask, observations,
rewards and batching agree with the engine's own reset, legal_mask and step."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adapters.pokejax_teams import seed_battle, seed_battles
from envs.pokejax import api, engine, prng, volatiles
from envs.pokejax.tables import tables

SMALL_TEAMS = [
    [[{"species": "tauros", "level": 80, "moves": ["tackle", "slash"]}],
     [{"species": "tauros", "level": 80, "moves": ["quickattack"]}]],
    [[{"species": "chansey", "level": 90, "moves": ["pound", "swift", "surf"]},
      {"species": "mew", "level": 70, "moves": ["megapunch"], "ivs": [2, 4, 6, 8, 10, 12], "evs": [0] * 6}],
     [{"species": "gengar", "level": 75, "moves": ["earthquake", "razorleaf"]}]],
]

_step = jax.jit(api.step)
_init = jax.jit(api.init_state)


def _same_state(a: dict, b: dict) -> list[str]:
    assert set(a) == set(b)
    return [k for k in b if np.asarray(a[k]).dtype != np.asarray(b[k]).dtype
            or not np.array_equal(np.asarray(a[k]), np.asarray(b[k]))]


def _play(st: dict, rng: np.random.Generator, max_steps: int = 300):
    """Random legal play with api.step; yields (state before, actions, step outputs)."""
    legal = np.asarray(api.legal_mask(st))
    for _ in range(max_steps):
        if bool(st["ended"]):
            return
        acts = np.array([rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in legal], np.int32)
        out = _step(st, jnp.asarray(acts))
        yield st, acts, out
        st, legal = out[0], np.asarray(out[4])


@pytest.mark.parametrize("seed", range(4))
def test_init_state_equals_engine_reset_on_case_teams(seed: int) -> None:
    words, teams = seed_battle(seed)
    ours = _init(teams, words)
    theirs = engine.reset(api.team_sets(teams), [int(w) for w in np.asarray(prng.words(words))])
    assert _same_state(ours, theirs) == []


@pytest.mark.parametrize("k", range(len(SMALL_TEAMS)))
def test_init_state_equals_engine_reset_on_small_teams(k: int) -> None:
    teams = SMALL_TEAMS[k]
    ours = _init({key: jnp.asarray(v) for key, v in api.team_arrays(teams).items()}, api.battle_prng([9, 8, 7, k]))
    assert _same_state(ours, engine.reset(teams, [9, 8, 7, k])) == []
    assert api.team_sets(api.team_arrays(teams))[1][0]["moves"] == teams[1][0]["moves"]


def test_legal_mask_observation_reward_along_play() -> None:
    """Every step of random battles: the JAX mask equals engine.legal_mask; obs fields read the state;
    the reward is +-1 exactly on the final step; done is `ended`."""
    rng = np.random.default_rng(5)
    for seed in (11, 12):
        words, teams = seed_battle(seed)
        st = _init(teams, words)
        rewards = []
        for before, _, (after, obs, reward, done, legal) in _play(st, rng):
            np.testing.assert_array_equal(np.asarray(legal), engine.legal_mask(after))
            _check_obs(after, np.asarray(obs))
            assert bool(done) == bool(after["ended"])
            rewards.append(np.asarray(reward))
        final = rewards[-1]
        assert bool(after["ended"]), "the battle must end within the step cap"
        winner = int(after["winner"])
        assert final[winner] == 1.0 and final[1 - winner] == -1.0
        assert not np.any(np.stack(rewards[:-1])), "no reward before the end"


def _check_obs(st: dict, obs: np.ndarray) -> None:
    s = {k: np.asarray(v) for k, v in st.items()}
    assert obs.shape == (2, api.OBS_SIZE) and obs.dtype == np.int16
    for side in range(2):
        o, foe = obs[side], 1 - side
        assert int(api.obs_field(o, "turn")[0]) == int(s["turn"])
        assert int(api.obs_field(o, "request")[0]) == int(s["request"][side])
        assert int(api.obs_field(o, "foe_pokemon_left")[0]) == int(s["pokemon_left"][foe])
        for pos in range(6):
            i = int(s["order"][side, pos])
            if i < 0:
                assert int(api.obs_field(o, f"own.{pos}.present")[0]) == 0
                continue
            assert int(api.obs_field(o, f"own.{pos}.present")[0]) == 1
            assert int(api.obs_field(o, f"own.{pos}.hp")[0]) == int(s["hp"][side, i])
            np.testing.assert_array_equal(api.obs_field(o, f"own.{pos}.moves"), s["moves"][side, i])
            np.testing.assert_array_equal(api.obs_field(o, f"own.{pos}.pp"), s["pp"][side, i])
            np.testing.assert_array_equal(api.obs_field(o, f"own.{pos}.modified"), s["modified"][side, i])
        f = int(s["active"][foe])
        hp, maxhp = int(s["hp"][foe, f]), int(s["maxhp"][foe, f])
        pct = math.ceil(100 * hp / maxhp)
        pct = 99 if pct == 100 and hp < maxhp else pct
        assert int(api.obs_field(o, "foe.hp_percent")[0]) == pct
        assert int(api.obs_field(o, "foe.species")[0]) == int(s["species"][foe, f])
        np.testing.assert_array_equal(api.obs_field(o, "foe.boosts"), s["boosts"][foe, f])


def test_legal_mask_pp_and_status_rules() -> None:
    """Constructed states: a 0-PP move is not legal; with no PP left, or asleep or frozen, only action 0
    is (switches stay); recharging, charging, Thrash- or Rage-locked, only action 0 and no switch; a Disabled
    slot is not legal (switches stay); engine.legal_mask agrees on each."""
    teams = [[{"species": "tauros", "level": 80, "moves": ["tackle", "slash", "surf"]},
              {"species": "mew", "level": 70, "moves": ["pound"]}],
             [{"species": "chansey", "level": 90, "moves": ["pound", "swift"]}]]
    st = engine.reset(teams, [1, 2, 3, 4])
    full = np.asarray(api.legal_mask(st))
    cases = [
        ({"pp": st["pp"].at[0, 0, 1].set(0)}, [True, False, True, False]),
        ({"pp": st["pp"].at[0, 0].set(0)}, [True, False, False, False]),
        ({"status": st["status"].at[0, 0].set(api.SLP)}, [True, False, False, False]),
        ({"status": st["status"].at[0, 0].set(api.FRZ)}, [True, False, False, False]),
        ({"vol": st["vol"].at[0].set(volatiles.BIT["mustrecharge"])}, [True, False, False, False]),
        ({"vol": st["vol"].at[0].set(volatiles.BIT["twoturnmove"])}, [True, False, False, False]),
        ({"vol": st["vol"].at[0].set(volatiles.BIT["lockedmove"])}, [True, False, False, False]),
        ({"vol": st["vol"].at[0].set(volatiles.BIT["rage"])}, [True, False, False, False]),
    ]
    disable = volatiles.key("disable", "slot")
    cases += [  # Disable blocks its slot; switching stays legal; a Disabled last move leaves Struggle (action 0)
        ({"vol": st["vol"].at[0].set(volatiles.BIT["disable"]), disable: st[disable].at[0].set(2)},
         [True, True, False, False]),
        ({"vol": st["vol"].at[0].set(volatiles.BIT["disable"]), disable: st[disable].at[0].set(0),
          "pp": st["pp"].at[0, 0, 1:].set(0)}, [True, False, False, False]),
    ]
    for change, moves in cases:
        changed = {**st, **change}
        want = full.copy()
        want[0, :4] = moves
        if "vol" in change and not int(change["vol"][0]) & volatiles.BIT["disable"]:
            want[0, 4:] = False
        got = np.asarray(api.legal_mask(changed))
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(got, engine.legal_mask(changed))


def test_hp_percent_rule() -> None:
    hp = np.arange(0, 401)
    got = np.asarray(api.hp_percent(jnp.asarray(hp), jnp.full(hp.shape, 400)))
    want = [min(math.ceil(100 * h / 400), 99 if h < 400 else 100) for h in hp]
    np.testing.assert_array_equal(got, want)


def test_batch_equals_single() -> None:
    """step_batch over 4 battles equals step on each battle, for 25 steps of random legal actions."""
    rng = np.random.default_rng(2)
    words, teams = seed_battles([21, 22, 23, 24])
    batch = api.reset_batch(words, teams)
    singles = [_init(jax.tree.map(lambda x, b=b: x[b], teams), words[b]) for b in range(4)]
    for _ in range(25):
        masks = np.asarray(api.legal_batch(batch))
        acts = np.array([[rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in mb] for mb in masks], np.int32)
        batch, obs, rew, done, legal = api.step_batch(batch, acts)
        for b in range(4):
            singles[b], o, r, d, lg = _step(singles[b], jnp.asarray(acts[b]))
            assert _same_state(jax.tree.map(lambda x, b=b: x[b], batch), singles[b]) == []
            np.testing.assert_array_equal(np.asarray(obs[b]), np.asarray(o))
            np.testing.assert_array_equal(np.asarray(rew[b]), np.asarray(r))
            np.testing.assert_array_equal(np.asarray(legal[b]), np.asarray(lg))


def test_reset_from_keys() -> None:
    """reset_batch(keys): random-battle teams (real moves, never Struggle), six per side, distinct PRNG states;
    each row equals reset(key) alone."""
    keys = jax.random.split(jax.random.key(3), 8)
    batch = api.reset_batch(keys)
    moves = np.asarray(batch["moves"])
    live = moves[moves > 0]
    assert (live < len(tables().move_ids)).all() and not (live == tables().move_index("struggle")).any()
    assert (np.asarray(batch["pokemon_left"]) == 6).all()
    assert len({tuple(p) for p in np.asarray(batch["prng"])}) == 8
    one = jax.jit(api.reset)(keys[5])
    assert _same_state(jax.tree.map(lambda x: x[5], batch), one) == []
    with pytest.raises(ValueError):
        api.reset(jnp.zeros(2, jnp.uint32))


def test_state_is_compact() -> None:
    words, teams = seed_battles(list(range(16)))
    """About 1 KB per battle (int8/int16 fields): 65,536 battles in well under the 8 GB target."""
    per = api.state_bytes(api.reset_batch(words, teams)) / 16
    assert per < 2048, f"{per} bytes per battle"
    assert per * 65536 < 8 * 2**30


def test_gym_env_plays_a_battle() -> None:
    from envs.pokejax.gym_env import PokeJaxEnv

    env = PokeJaxEnv(player=1)
    obs, info = env.reset(seed=4)
    assert obs.shape == (api.OBS_SIZE,) and info["action_mask"].any()
    rng = np.random.default_rng(0)
    total, steps = 0.0, 0
    while True:
        mask = info["action_mask"]
        obs, r, term, trunc, info = env.step(int(rng.choice(np.flatnonzero(mask))))
        total += r
        steps += 1
        if term or trunc:
            break
    assert term and not trunc and total in (1.0, -1.0) and steps > 1
    won = int(env.state["winner"]) == 1
    assert total == (1.0 if won else -1.0)
    env.reset(seed=4)
    with pytest.raises(ValueError):
        env.step(api.N_ACTIONS)


def test_gym_env_passes_gymnasium_checker() -> None:
    gym_utils = pytest.importorskip("gymnasium.utils.env_checker")
    from envs.pokejax.gym_env import PokeJaxEnv

    gym_utils.check_env(PokeJaxEnv(), skip_render_check=True)
