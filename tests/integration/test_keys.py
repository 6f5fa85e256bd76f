"""API keys: stored as hashes, idempotent ensure, revocation."""

import boto3

from chalicelib.services import keys


def test_create_key_stores_only_the_hash(tables, clock):
    key_id, raw_key = keys.create_key("bot", "agent")
    items = boto3.client("dynamodb").scan(TableName="sladesk-dev-config")["Items"]
    assert raw_key not in str(items)
    assert keys.authenticate(raw_key).role == "agent"
    assert keys.authenticate(raw_key).key_id == key_id


def test_ensure_key_is_idempotent(tables, clock):
    first = keys.ensure_key("local-admin", "local admin", "admin")
    second = keys.ensure_key("local-admin", "local admin", "admin")
    assert first == second
    assert keys.authenticate("local-admin").role == "admin"


def test_deleted_key_stops_at_once(tables, clock):
    key_id, raw_key = keys.create_key("bot", "manager")
    keys.delete_key(key_id)
    assert keys.authenticate(raw_key) is None
