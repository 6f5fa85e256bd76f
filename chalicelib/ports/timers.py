"""The timers ports: the interfaces the timers services use, in domain types."""
