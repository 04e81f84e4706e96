"""Adapters: one backend (reference or candidate) each, behind equivcheck.adapter.Adapter."""
