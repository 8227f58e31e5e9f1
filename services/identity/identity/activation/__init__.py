"""Account activation (issue #11): a new staff member's welcome goes through notify, never Keycloak's own e-mail.

Provisioning records an activation request and its ``StaffProvisioned`` event in one MongoDB document (an
outbox); the relay publishes it to ``staff-events``; notify reads the person's e-mail and a fresh activation
link from identity's staff-contact API with its own service account; the person opens ``/activate/<token>`` and
chooses their own password, which identity sets in Keycloak. Tokens are single-use, expire, and are stored
hashed.
"""
