"""equivcheck: certify that a fast re-implementation of an RL environment matches its reference."""

__version__ = "0.1.0"
