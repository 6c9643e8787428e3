"""A bare Django project: the yardstick for benchmarks/tenant_page.py (see docs/benchmarks.md)."""
