"""Models of this app arrive with its issue; every one derives from TenantOwnedModel."""
