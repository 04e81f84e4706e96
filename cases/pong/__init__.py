"""The Pong case: PufferLib C Pong (pong-c) vs envs/pongjax (pong-jax)."""
