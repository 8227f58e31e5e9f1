"""What the services agree on, and the only code they share.

- ``registry``: Kafka topics (``topics/*.yaml``) and versioned event schemas (``schemas/``).
- ``codec``: encode/decode events, validating on produce (strict) and on consume.
- ``compat``: the backward-compatibility rules a schema change must keep.
- ``claims``: the access-token claims every service reads, and how tokens are verified.
- ``settings`` / ``ops``: the environment variables and ``/healthz``, ``/readyz``, ``/metrics``.
"""
