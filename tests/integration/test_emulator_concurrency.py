"""The local stack's emulator under concurrent writes: nothing lost, no server error.

moto's DynamoDB transactions copied a whole table while other threads wrote
it; unserialised, that failed with a 500 and rolled other threads' writes
back (the load test's first run lost stored timers). The emulator now takes
one AWS call at a time, so every write of every thread is there afterwards.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from devstack.emulator import Emulator

THREADS = 8
WRITES_PER_THREAD = 40


def test_concurrent_transactions_all_land():
    with Emulator() as emulator:
        client = boto3.client(
            "dynamodb",
            endpoint_url=emulator.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            # A 500 must fail the test, not be retried away.
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=THREADS),
        )
        client.create_table(
            TableName="race",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )

        def write(thread: int) -> None:
            for n in range(WRITES_PER_THREAD):
                item = {"pk": {"S": f"{thread}-{n}"}, "body": {"S": "x" * 200}}
                client.transact_write_items(
                    TransactItems=[{"Put": {"TableName": "race", "Item": item}}]
                )

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(write, range(THREADS)))

        count = client.scan(TableName="race", Select="COUNT")["Count"]
        assert count == THREADS * WRITES_PER_THREAD
