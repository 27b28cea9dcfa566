"""What more than one source folder uses: partitions, freshness policies, the companies, and the jobs and queries
that span sources (the revenue chain, what later steps read of Holded's invoices, the attendance records' Bayzat
state, worked time). A source folder imports from here, never from another source folder, and nothing here imports a
source folder (the contracts in pyproject.toml, checked by tests/test_imports.py)."""
