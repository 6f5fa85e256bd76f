"""The local stack's patch of moto (``devstack/moto_patch.py``): moto's answers, at less cost.

These fail when a moto upgrade changes what the patch replaces (the pinned
version and the sources' digests) or the behaviour it must keep: a
cancelled transaction changes nothing and adds no stream record, stream
records of committed writes stay in order, queries answer as moto's own.
"""

from __future__ import annotations

import random
import time

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item

from devstack import moto_patch

TABLE = "patched"


@pytest.fixture
def patched():
    """A DynamoDB client on moto with the local stack's patch applied."""
    undo = moto_patch.apply()
    try:
        with mock_aws():
            yield _client()
    finally:
        undo()


def _client():
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "board", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_board",
                "KeySchema": [
                    {"AttributeName": "board", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return client


def _item(pk: str, sk: str, **attributes: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attributes.items()}}


def _stream(client) -> list[tuple[str, str, str]]:
    streams = boto3.client(
        "dynamodbstreams",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return [
        (r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["Keys"]["sk"]["S"])
        for r in records
    ]


def _everything(client) -> list[dict]:
    return sorted(
        client.scan(TableName=TABLE)["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"])
    )


def test_the_patch_is_for_this_moto_and_its_code_as_read():
    assert moto.__version__ == moto_patch.PINNED_MOTO_VERSION
    digests = {
        name: moto_patch.source_digest(function)
        for name, function in moto_patch.MOTO_FUNCTIONS.items()
    }
    assert digests == moto_patch.PINNED_SOURCE_DIGESTS


def test_a_cancelled_transaction_changes_nothing_and_leaves_no_stream_record(patched):
    patched.put_item(TableName=TABLE, Item=_item("CARD#1", "CARD", title="before"))
    patched.put_item(TableName=TABLE, Item=_item("CARD#2", "CARD", title="taken"))
    before, stream_before = _everything(patched), _stream(patched)
    with pytest.raises(ClientError) as raised:
        patched.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": _item("CARD#1", "CARD", title="after")}},
                {"Put": {"TableName": TABLE, "Item": _item("CARD#3", "CARD", title="new")}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "CARD#4"}, "sk": {"S": "CARD"}},
                        "UpdateExpression": "SET title = :t",
                        "ExpressionAttributeValues": {":t": {"S": "new"}},
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": _item("CARD#2", "CARD", title="mine"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _everything(patched) == before
    assert _stream(patched) == stream_before


def test_a_committed_transaction_writes_all_and_its_records_follow_in_order(patched):
    patched.put_item(TableName=TABLE, Item=_item("CARD#1", "CARD", title="one"))
    patched.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item("CARD#1", "EVENT#2", kind="moved")}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "CARD#1"}, "sk": {"S": "CARD"}}}},
            {"Put": {"TableName": TABLE, "Item": _item("CARD#2", "CARD", title="two")}},
        ]
    )
    assert _stream(patched) == [
        ("INSERT", "CARD#1", "CARD"),
        ("INSERT", "CARD#1", "EVENT#2"),
        ("REMOVE", "CARD#1", "CARD"),
        ("INSERT", "CARD#2", "CARD"),
    ]
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in _everything(patched)] == [
        ("CARD#1", "EVENT#2"),
        ("CARD#2", "CARD"),
    ]


def test_a_stream_read_goes_on_after_a_cancelled_transaction(patched):
    """moto swaps tables on a rollback; the patch keeps them, so a reader sees later writes."""
    patched.put_item(TableName=TABLE, Item=_item("CARD#1", "CARD"))
    with pytest.raises(ClientError):
        patched.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "CARD#1"}, "sk": {"S": "CARD"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    patched.put_item(TableName=TABLE, Item=_item("CARD#2", "CARD"))
    assert _stream(patched) == [("INSERT", "CARD#1", "CARD"), ("INSERT", "CARD#2", "CARD")]


def _random_session(client, seed: int) -> list:
    """A fixed random mix of writes, transactions and queries; every answer, in order."""
    rng = random.Random(seed)
    answers = []
    for n in range(150):
        pk, sk = f"CARD#{rng.randrange(12)}", rng.choice(["CARD", "EVENT#1", "EVENT#2", "TIMER"])
        board = rng.choice(["A", "B"])
        action = rng.random()
        try:
            if action < 0.35:
                client.put_item(TableName=TABLE, Item=_item(pk, sk, board=board, n=str(n)))
                answers.append("put")
            elif action < 0.6:
                other = f"CARD#{rng.randrange(12)}"
                ops = [
                    {"Put": {"TableName": TABLE, "Item": _item(pk, sk, board=board, n=str(n))}},
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": _item(other, "LOCK", n=str(n)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
                client.transact_write_items(TransactItems=ops)
                answers.append("committed")
            elif action < 0.8:
                answers.append(
                    client.query(
                        TableName=TABLE,
                        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
                        ExpressionAttributeValues={":pk": {"S": pk}, ":e": {"S": "EVENT#"}},
                        ScanIndexForward=rng.random() < 0.5,
                    )["Items"]
                )
            else:
                answers.append(
                    client.query(
                        TableName=TABLE,
                        IndexName="by_board",
                        KeyConditionExpression="board = :b",
                        ExpressionAttributeValues={":b": {"S": board}},
                        Limit=5,
                    )["Items"]
                )
        except ClientError as error:
            answers.append(error.response["Error"]["Code"])
    answers.append(_everything(client))
    answers.append(_stream(client))
    return answers


def test_answers_equal_moto_s_own_call_for_call():
    with mock_aws():
        expected = _random_session(_client(), seed=17)
    undo = moto_patch.apply()
    try:
        with mock_aws():
            assert _random_session(_client(), seed=17) == expected
    finally:
        undo()


def test_items_are_not_kept_for_moto_s_introspection(patched):
    for n in range(20):
        patched.put_item(TableName=TABLE, Item=_item(f"CARD#{n}", "CARD"))
    assert len(Item.instances_tracked) == 0


def test_a_write_costs_the_same_in_a_small_and_a_large_table(patched):
    def transaction_seconds() -> float:
        started = time.perf_counter()
        for n in range(20):
            patched.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": _item("CARD#x", "CARD", n=str(n))}}
                ]
            )
        return time.perf_counter() - started

    small = min(transaction_seconds() for _ in range(3))
    for start in range(0, 2000, 25):
        puts = [
            {"PutRequest": {"Item": _item(f"CARD#{n}", "CARD", body="x" * 200)}}
            for n in range(start, start + 25)
        ]
        patched.batch_write_item(RequestItems={TABLE: puts})
    large = min(transaction_seconds() for _ in range(3))
    # moto's own copy of the table made this about 30 times slower at this size.
    assert large < small * 3
