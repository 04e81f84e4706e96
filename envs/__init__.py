"""Candidate environments built by this project."""
