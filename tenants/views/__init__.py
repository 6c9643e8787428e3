"""HTML views of the tenants app, one module per area (accounts, manage, ...)."""
