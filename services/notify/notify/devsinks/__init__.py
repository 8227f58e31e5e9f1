"""Real loopback servers standing in for the providers on the dev stack and in tests."""
