"""The alerts ports: the interfaces the alerts services use, in domain types."""
