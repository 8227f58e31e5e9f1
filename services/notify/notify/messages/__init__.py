"""Notify's core: the message record, its store and its templates (imports no channel or web code)."""
