"""Our own JAX port of Gymnasium's HalfCheetah-v5 (MuJoCo's pipeline for this one planar model, no mujoco import)."""

from envs.cheetahjax.env import FRAME_SKIP, Params, State, init, observation, step
from envs.cheetahjax.model import Model, load, model_path, parse

__all__ = ["FRAME_SKIP", "Model", "Params", "State", "init", "load", "model_path", "observation", "parse", "step"]
