"""Stand-ins and helpers for the dev stack and tests (never used in production)."""
