"""Self-tests of the Showdown reference adapter."""
