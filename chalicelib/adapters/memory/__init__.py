"""In-memory fakes of the ports, for the service tests: each honours the same conditions as
its DynamoDB adapter (version checks, "already claimed", pagination)."""
