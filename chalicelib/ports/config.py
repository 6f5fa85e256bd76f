"""The config ports: the interfaces the config services use, in domain types."""
