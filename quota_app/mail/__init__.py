"""Composing and sending mail: SMTP, or .eml files in the outbox when no SMTP host is set."""
