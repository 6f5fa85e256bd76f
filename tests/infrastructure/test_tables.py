"""The stack's tables and the local stack's tables are built from the same models and agree."""

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template

from chalicelib.adapters.tables import table_models
from infrastructure.tables import add_table, table_specs

# Loading aws-cdk-lib's runtime takes about 15 s.
pytestmark = pytest.mark.slow


def _shape(key_schema, attributes, indexes, stream):
    """Keys, attribute types, indexes with projections and stream: order-free."""
    return {
        "keys": sorted((key["AttributeName"], key["KeyType"]) for key in key_schema),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in attributes),
        "indexes": sorted(
            (
                index["IndexName"],
                tuple(sorted((k["AttributeName"], k["KeyType"]) for k in index["KeySchema"])),
                index["Projection"]["ProjectionType"],
            )
            for index in indexes
        ),
        "stream": stream,
    }


def test_the_stack_creates_exactly_the_tables_the_models_create(tables):
    # GIVEN the tables the local stack creates from the models (moto)
    client = boto3.client("dynamodb")
    created = {}
    for model in table_models():
        table = client.describe_table(TableName=model.Meta.table_name)["Table"]
        stream = table.get("StreamSpecification", {}).get("StreamViewType")
        created[model.Meta.table_name] = _shape(
            table["KeySchema"],
            table["AttributeDefinitions"],
            table.get("GlobalSecondaryIndexes", []),
            stream,
        )

    # WHEN the infrastructure builds its tables
    stack = cdk.Stack(cdk.App(), "Tables")
    specs = table_specs()
    for spec in specs:
        add_table(stack, spec)
    synthesized = Template.from_stack(stack).find_resources("AWS::DynamoDB::Table")

    # THEN both have the same keys, indexes, projections and stream
    built = sorted(
        (
            _shape(
                p["KeySchema"],
                p["AttributeDefinitions"],
                p.get("GlobalSecondaryIndexes", []),
                p.get("StreamSpecification", {}).get("StreamViewType"),
            )
            for p in (resource["Properties"] for resource in synthesized.values())
        ),
        key=repr,
    )
    assert built == sorted(created.values(), key=repr)
    assert len(specs) == len(table_models()) == 4
