"""The companies attendance is pushed for, with the device departments that map rows to each (table companies)."""
