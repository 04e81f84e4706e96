"""The four tiers: property (L1), interaction (L2), rollout (L3), transfer (L4)."""
