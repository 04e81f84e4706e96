"""TCGJax: the TCG Pocket engine of envs/tcg translated to JAX (fixed-size arrays, jit, vmap)."""
