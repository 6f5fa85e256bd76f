"""moto's DynamoDB in the form the local stack needs: its costs follow the items a call touches.

moto 5.2.5 (pinned in ``constraints.txt``) pays for the whole table on calls
that DynamoDB answers from a few items, so the local stack slowed down as it
filled. ``apply()`` changes three things, in this process only:

- ``TransactWriteItems`` rolls back by restoring the items it touched (a copy
  of each, taken before its operation) and cutting the stream records it
  added, instead of deep-copying every table it names before every call. The
  answer is the same: all or nothing, and a cancelled transaction leaves no
  stream record. The table objects stay in place, so a stream reader keeps
  reading the same shard after a cancellation.
- A query of a table (not an index) reads its partition, instead of sorting
  every item of the table and keeping those of the partition.
- DynamoDB items and stream records are not registered with moto's
  introspection (``/moto-api/data.json``): moto keeps every instance ever made
  there, copies included, so memory and that dump grew with every write.

The patched functions are moto's own code where it is kept; ``apply()``
refuses another moto version, and ``tests/integration/test_moto_patch.py``
fails when moto's replaced code or the behaviour these rest on change.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import moto
from moto.core.common_models import BaseModel
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamRecord, Table

PINNED_MOTO_VERSION = "5.2.5"
# What apply() replaces or relies on, as this moto has it (before any patch).
MOTO_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "DynamoDBBackend.transact_write_items": DynamoDBBackend.transact_write_items,
    "Table.query": Table.query,
    "Table.all_items": Table.all_items,
    "BaseModel.__new__": BaseModel.__new__,
}
# Their sources' sha256 in moto 5.2.5: a moto that changes one must be read again.
PINNED_SOURCE_DIGESTS = {
    "DynamoDBBackend.transact_write_items": (
        "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4"
    ),
    "Table.query": "002b4d00be6df07cf37f6cbe0132e5eb89455ae12a8e79b23db3fb492450f21e",
    "Table.all_items": "c80d2ee3c896acd0cab6ca35aaeae3ab3fb65858933f8a3403d4e027c240f31d",
    "BaseModel.__new__": "08cf0ef20e88029a2eb91949492ce3281001a34b98143db186239962ad379eec",
}

_original_query = Table.query
_original_transact = DynamoDBBackend.transact_write_items
_QUERY_SIGNATURE = inspect.signature(_original_query)
# moto's models whose every instance its introspection would keep (typed loosely: moto adds
# the list in a metaclass).
_TRACKED_MODELS: tuple[Any, ...] = (Item, StreamRecord)


def source_digest(function: Callable[..., Any]) -> str:
    """The sha256 of a function's source, to notice a moto that changed it."""
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def apply() -> Callable[[], None]:
    """Patch moto's DynamoDB in this process; answers the undo.

    RuntimeError on a moto other than the pinned one.
    """
    if moto.__version__ != PINNED_MOTO_VERSION:
        raise RuntimeError(
            f"devstack/moto_patch.py is written for moto {PINNED_MOTO_VERSION}, "
            f"not {moto.__version__}: check it against the new moto and pin it again"
        )
    tracked = {model: model.instances_tracked for model in _TRACKED_MODELS}
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    for model in tracked:
        model.instances_tracked = _Untracked()

    def undo() -> None:
        DynamoDBBackend.transact_write_items = _original_transact  # type: ignore[method-assign]
        Table.query = _original_query  # type: ignore[method-assign]
        for model, instances in tracked.items():
            model.instances_tracked = instances

    return undo


class _Untracked(list):
    """moto's per-class list of instances, keeping none."""

    def append(self, instance: Any) -> None:
        """Forget the instance: nothing reads DynamoDB items from moto's introspection."""


class _TouchedItems:
    """Copies of what a transaction touches, taken before it writes them; put back on cancel."""

    def __init__(self, backend: DynamoDBBackend) -> None:
        self._backend = backend
        self._items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
        self._stream_lengths: dict[str, tuple[Table, int]] = {}

    def keep(self, table_name: str, key: dict[str, Any]) -> None:
        """Remember the item at ``key`` (or that there is none) and the table's stream length."""
        table = self._backend.get_table(table_name)
        hash_key, range_key = self._backend.get_keys_value(table, key)
        current = table.get_item(hash_key, range_key)
        self._items.append((table, hash_key, range_key, copy.deepcopy(current)))
        if table.stream_shard is not None and table.name not in self._stream_lengths:
            self._stream_lengths[table.name] = (table, len(table.stream_shard.items))

    def restore(self) -> None:
        """Put every kept item back as it was and drop the stream records written since."""
        for table, hash_key, range_key, item in reversed(self._items):
            if range_key is None:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item  # type: ignore[assignment]
            else:
                partition = table.items[hash_key]
                if item is None:
                    partition.pop(range_key, None)
                else:
                    partition[range_key] = item
                if not partition:
                    del table.items[hash_key]
        for table, length in self._stream_lengths.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's ``transact_write_items``, rolling back only the items it touched."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    touched = _TouchedItems(self)
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values = op.get("ReturnValuesOnConditionCheckFailure")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression, expression_attribute_names, expression_attribute_values
                )
                if not condition_op.expr(current):
                    if return_values == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                touched.keep(table_name, key)
            expressions = {
                "condition_expression": condition_expression,
                "expression_attribute_names": expression_attribute_names,
                "expression_attribute_values": expression_attribute_values,
            }
            if op_type == "Put":
                self.put_item(table_name, op["Item"], **expressions)
            elif op_type == "Delete":
                self.delete_item(table_name, key, **expressions)
            elif op_type == "Update":
                self.update_item(
                    table_name, key, update_expression=op["UpdateExpression"], **expressions
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            touched.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]
    if any(code is not None for code, _, _ in errors):
        touched.restore()
        raise TransactionCanceledException(errors)


def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's ``Table.query``; a query of the table itself goes over its partition only."""
    index_name = _QUERY_SIGNATURE.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
    if index_name or hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    with _items_seen(self, _partition(self, hash_key)):
        return _original_query(self, hash_key, *args, **kwargs)


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    partition = table.items.get(hash_key)
    if partition is None:
        return []
    if table.range_key_attr is None:
        return [partition]  # type: ignore[list-item]
    return list(partition.values())


@contextmanager
def _items_seen(table: Table, items: list[Item]) -> Iterator[None]:
    # moto's query reads the candidates from all_items(); the emulator takes calls one at a time.
    table.all_items = lambda: items  # type: ignore[method-assign]
    try:
        yield
    finally:
        del table.all_items
