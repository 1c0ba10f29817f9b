"""Accounts adds no menu entries: home is the brand link, and the audit trail registers its own."""
