"""Loopback servers and sample data that behave like the real external systems, quirks included."""
