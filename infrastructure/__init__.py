"""sladesk's infrastructure: one isolated AWS CDK stack per customer (tenant)."""
