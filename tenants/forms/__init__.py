"""Django forms that parse input for the tenants views. They validate shape only; rules live in services."""
