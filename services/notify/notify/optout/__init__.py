"""Opt-out where the law allows it (issue #11): a debtor may stop optional SMS follow-ups (the mediation
outcome), never the messages they need (the registration receipt, an appointment or its change) and never staff
duties (deadline reminders, overdue notices, returned reports, welcomes). By replying STOP to the gateway or by
the link in the message. Numbers are kept only as a keyed hash (HMAC-SHA256)."""
