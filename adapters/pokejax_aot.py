"""Ahead-of-time compiled functions for the pokejax adapters: one executable per argument signature,
kept in a process-wide table, optionally compiled with one engine component replaced (mutants).

The mutants replace a module attribute that the engine reads while it is traced. JAX caches the
traces of functions handed to lax.cond/switch by identity, so a mutant compilation clears JAX's
caches before and after: the mutant never reuses the engine's traces, nor the engine the mutant's.
The executables kept here survive those clears, so each function is compiled once per process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp

from envs.pokejax import engine

_COMPILED: dict[Any, Any] = {}


@contextlib.contextmanager
def replaced(module: Any, name: str, value: Any) -> Iterator[None]:
    """`module.name = value` inside the block."""
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


class Compiled:
    """`fn` compiled ahead of time per argument signature; with `patch` (module, name, value), compiled
    with that attribute replaced."""

    def __init__(self, fn: Callable[..., Any], patch: tuple[Any, str, Any] | None = None) -> None:
        self.fn, self.patch = fn, patch

    def __call__(self, *args: Any) -> Any:
        leaves, tree = jax.tree.flatten(args)
        patch_key = None if self.patch is None else (self.patch[0].__name__, self.patch[1], self.patch[2])
        key = (self.fn, patch_key, tree, tuple((jnp.shape(x), jnp.result_type(x)) for x in leaves))
        exe = _COMPILED.get(key)
        if exe is None:
            if self.patch is None:
                exe = engine.jit(self.fn).lower(*args).compile()
            else:
                jax.clear_caches()
                with replaced(*self.patch):
                    exe = engine.jit(self.fn).lower(*args).compile()
                jax.clear_caches()
            _COMPILED[key] = exe
        return exe(*args)


def compiled(fn: Callable[..., Any]) -> Compiled:
    """`fn` compiled once per signature per process (a jax.jit whose executables survive cache clears)."""
    return Compiled(fn)


def patched(module: Any, name: str, value: Any) -> Callable[[Callable[..., Any]], Compiled]:
    """A `compiled` whose compilations see `module.name = value` (for PokeJax(jit=...) mutants)."""
    return lambda fn: Compiled(fn, (module, name, value))
