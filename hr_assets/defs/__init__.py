"""One folder per source system (paycom, attendance, bayzat, payroll, holded, fourgeeks, notion, accruals, alerts),
each listing its definitions in ``definitions.py``; ``shared/`` holds what several of them use. ``definitions.py``
one level up puts them together."""
