"""The TCG case's reference: a readable Python engine of Pokemon TCG Pocket (docs/tcg-rules.md)."""
