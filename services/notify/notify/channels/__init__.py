"""Channels behind one port (``port.Provider``): SMTP e-mail, an HTTP SMS gateway, LINE push."""
