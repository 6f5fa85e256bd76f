"""The tables the models create: keys, the board index and the cards stream."""

import boto3

from chalicelib.adapters.tables import create_tables, table_models


def test_every_table_has_pk_and_sk(tables):
    client = boto3.client("dynamodb")
    for model in table_models():
        table = client.describe_table(TableName=model.Meta.table_name)["Table"]
        assert table["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_cards_table_streams_new_and_old_images_and_indexes_cards_by_board(tables):
    client = boto3.client("dynamodb")
    table = client.describe_table(TableName="sladesk-dev-cards")["Table"]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "cards_by_board"


def test_create_tables_skips_existing_tables(tables):
    assert create_tables() == []


def test_table_names_come_from_the_environment(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("SLADESK_CONFIG_TABLE", "acme-config")
    with mock_aws():
        created = create_tables()
        assert "acme-config" in created
        assert "acme-config" in boto3.client("dynamodb").list_tables()["TableNames"]
