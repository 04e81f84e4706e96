"""PokeJAX: Pokemon Showdown's Gen 1 random battles in JAX (work in progress; see cases/pokejax/README.md).

Modules: prng (Showdown's Gen 5 PRNG), tables (the generated data as arrays), stats (stat
calculation and stages), damage (damage, crits, type effectiveness, accuracy), teams (the
gen1randombattle team sampler).
"""
