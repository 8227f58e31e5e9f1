"""Sending: one worker per provider takes due messages, sends, records the outcome, retries, dead-letters."""
