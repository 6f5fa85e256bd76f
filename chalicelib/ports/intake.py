"""The intake ports: the interfaces the intake services use, in domain types."""
