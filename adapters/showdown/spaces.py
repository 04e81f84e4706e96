"""JointDiscrete (one integer action per player) now lives in the framework; re-exported here."""

from equivcheck.adapter import JointDiscrete

__all__ = ["JointDiscrete"]
