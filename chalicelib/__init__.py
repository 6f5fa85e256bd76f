"""sladesk application code packaged into the Lambda functions (domain, services, adapters, api)."""
