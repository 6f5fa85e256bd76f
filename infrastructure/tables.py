"""The stack's DynamoDB tables, derived from the PynamoDB models.

The key schema is defined once, in the models (``chalicelib.adapters.tables``);
this module reads each model's schema (keys, global secondary indexes with
their projections, stream view type) and builds the CDK table from it, so the
deployed tables cannot drift from the ones the local stack and tests create.
This is the one adapter module the CDK reads, and for the schema only; every
variable name comes from ``chalicelib/settings.py`` (``TABLE_BASES`` is keyed by them).
Every table is on-demand, encrypted, point-in-time recoverable and protected
from deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from pynamodb.models import Model

from chalicelib.adapters.table_base import TABLE_BASES
from chalicelib.adapters.tables import table_models

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAMS = {
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}


@dataclass(frozen=True)
class TableSpec:
    """One table as the models define it: its environment variable and schema."""

    env_var: str
    logical_id: str
    schema: Mapping[str, Any]  # PynamoDB's description of the table: keys, attributes, indexes
    stream_view_type: str | None

    @property
    def index_names(self) -> list[str]:
        """The names of the table's global secondary indexes."""
        return [index["index_name"] for index in self.schema["global_secondary_indexes"]]


def _model_of(base: type[Model]) -> type[Model]:
    """The model that defines the table of ``base`` (the one that declares its indexes)."""
    [model] = [model for model in table_models() if issubclass(model, base)]
    return model


def table_specs() -> list[TableSpec]:
    """Every table of a stack, in the order of ``TABLE_BASES``."""
    specs = []
    for env_var, base in TABLE_BASES.items():
        model = _model_of(base)
        specs.append(
            TableSpec(
                env_var=env_var,
                logical_id=base.__name__,
                schema=model._get_schema(),
                stream_view_type=getattr(model.Meta, "stream_view_type", None),
            )
        )
    return specs


def _attribute(schema: Mapping[str, Any], name: str) -> dynamodb.Attribute:
    [kind] = [
        definition["AttributeType"]
        for definition in schema["attribute_definitions"]
        if definition["AttributeName"] == name
    ]
    return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[kind])


def _key(schema: Mapping[str, Any], key_schema: list[dict[str, str]], kind: str) -> Any:
    names = [key["AttributeName"] for key in key_schema if key["KeyType"] == kind]
    return _attribute(schema, names[0]) if names else None


def add_table(scope: Construct, spec: TableSpec) -> dynamodb.Table:
    """Create the table ``spec`` describes, with the stack's safety settings."""
    schema = spec.schema
    table = dynamodb.Table(
        scope,
        spec.logical_id,
        partition_key=_key(schema, schema["key_schema"], "HASH"),
        sort_key=_key(schema, schema["key_schema"], "RANGE"),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        stream=_STREAMS[spec.stream_view_type] if spec.stream_view_type else None,
    )
    for index in schema["global_secondary_indexes"]:
        projection = index["projection"]
        table.add_global_secondary_index(
            index_name=index["index_name"],
            partition_key=_key(index, index["key_schema"], "HASH"),
            sort_key=_key(index, index["key_schema"], "RANGE"),
            projection_type=_PROJECTIONS[projection["ProjectionType"]],
            non_key_attributes=projection.get("NonKeyAttributes"),
        )
    return table
