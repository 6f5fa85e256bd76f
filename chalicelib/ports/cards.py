"""The cards ports: the interfaces the cards services use, in domain types."""
