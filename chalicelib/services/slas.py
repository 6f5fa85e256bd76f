"""SLA policies: define and version them, and read a version as the timer engine sees it.

The stored body keeps durations as sent; answers add their whole seconds
(``target_seconds``). ``policy_from_body`` is the one conversion from the
API's JSON to ``chalicelib.domain.sla.SlaPolicy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from chalicelib.domain.sla import Escalation, RuleKind, SlaPolicy, SlaRule
from chalicelib.domain.versions import SlaPolicyVersion
from chalicelib.ports.clock import now
from chalicelib.ports.config import calendar_store, sla_store
from chalicelib.ports.errors import WriteConflictError
from chalicelib.services.common import new_id, page, refusals
from chalicelib.services.durations import duration_seconds
from chalicelib.services.errors import ConflictError, InvalidInputError, NotFoundError
from chalicelib.services.targets import notify_channel, target_problem


def check_policy(fields: dict[str, Any]) -> None:
    """Refuse a policy body the engine cannot run (also a what-if draft); 400 names the field."""
    calendar_id = fields.get("calendar_id")
    if calendar_id is not None and calendar_store().latest(calendar_id) is None:
        raise InvalidInputError(f"no calendar {calendar_id}", field="calendar_id")
    seen: set[str] = set()
    for index, rule in enumerate(fields["rules"]):
        where = f"rules[{index}]"
        if rule["id"] in seen:
            raise InvalidInputError(f"duplicate rule id {rule['id']!r}", field=f"{where}.id")
        seen.add(rule["id"])
        in_column = rule["kind"] == RuleKind.TIME_IN_COLUMN
        if in_column and not rule.get("column_id"):
            raise InvalidInputError("time_in_column needs a column_id", field=f"{where}.column_id")
        if not in_column and rule.get("column_id"):
            raise InvalidInputError(
                "only time_in_column rules name a column", field=f"{where}.column_id"
            )
        target = duration_seconds(rule["target"])
        if target <= 0:
            raise InvalidInputError("a target must be longer than zero", field=f"{where}.target")
        warn = rule.get("warn_before")
        if warn is not None and duration_seconds(warn) >= target:
            raise InvalidInputError(
                "warn_before must be shorter than the target", field=f"{where}.warn_before"
            )
        for level_index, level in enumerate(rule.get("escalations", ())):
            for target_index, notify in enumerate(level.get("notify", ())):
                if target_problem(notify_channel(notify), notify) is not None:
                    raise InvalidInputError(
                        "a notify target must be an e-mail address or an SNS topic ARN",
                        field=f"{where}.escalations[{level_index}].notify[{target_index}]",
                    )


def _rule_answer(rule: dict[str, Any]) -> dict[str, Any]:
    warn = rule.get("warn_before")
    return {
        **rule,
        "target_seconds": duration_seconds(rule["target"]),
        "warn_before": warn,
        "warn_before_seconds": None if warn is None else duration_seconds(warn),
        "column_id": rule.get("column_id"),
        "escalations": [
            {
                "after_breach": level["after_breach"],
                "after_breach_seconds": duration_seconds(level["after_breach"]),
                "notify": level.get("notify", []),
                "assign_to": level.get("assign_to"),
            }
            for level in rule.get("escalations", [])
        ],
    }


def _answer(item: SlaPolicyVersion) -> dict[str, Any]:
    body = item.body
    return {
        **body,
        "id": item.id,
        "version": item.version,
        "rules": [_rule_answer(rule) for rule in body["rules"]],
        "created_at": item.created_at,
    }


def create_sla(fields: dict[str, Any]) -> dict[str, Any]:
    """Store version 1 of a new SLA policy."""
    check_policy(fields)
    item = sla_store().create(new_id("sla"), fields, now())
    return _answer(item)


def get_sla(sla_id: str) -> dict[str, Any]:
    """The latest version of a policy."""
    return _answer(load_latest_sla(sla_id))


def get_sla_version(sla_id: str, version: int) -> dict[str, Any]:
    """One stored version of a policy."""
    item = sla_store().version(sla_id, version)
    if item is None:
        raise NotFoundError(f"SLA {sla_id} has no version {version}")
    return _answer(item)


def list_slas(limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of policies (latest versions)."""
    with refusals():
        items, next_cursor = sla_store().list_latest(limit, cursor)
    return page([_answer(item) for item in items], next_cursor)


def update_sla(sla_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Store version n+1; cards stay pinned to the version they had."""
    current = load_latest_sla(sla_id)
    check_policy(fields)
    try:
        item = sla_store().add_version(sla_id, current.version, fields, now())
    except WriteConflictError as error:
        raise ConflictError("the SLA policy changed meanwhile; read it again") from error
    return _answer(item)


def load_latest_sla(sla_id: str) -> SlaPolicyVersion:
    """The latest stored version, or 404."""
    item = sla_store().latest(sla_id)
    if item is None:
        raise NotFoundError(f"no SLA policy {sla_id}")
    return item


def load_sla_version(sla_id: str, version: int) -> SlaPolicy:
    """One stored version as the timer engine sees it."""
    item = sla_store().version(sla_id, version)
    if item is None:
        raise NotFoundError(f"SLA {sla_id} has no version {version}")
    return policy_from_body(sla_id, version, item.body)


def policy_from_body(sla_id: str, version: int, body: Mapping[str, Any]) -> SlaPolicy:
    """Convert an SLA policy's stored JSON into the domain's ``SlaPolicy``."""

    def seconds(value: int | str) -> timedelta:
        return timedelta(seconds=duration_seconds(value))

    rules = tuple(
        SlaRule(
            id=rule["id"],
            kind=RuleKind(rule["kind"]),
            target=seconds(rule["target"]),
            warn_before=None if rule.get("warn_before") is None else seconds(rule["warn_before"]),
            escalations=tuple(
                Escalation(
                    after_breach=seconds(level["after_breach"]),
                    notify=tuple(level.get("notify", ())),
                    assign_to=level.get("assign_to"),
                )
                for level in rule.get("escalations", ())
            ),
            column_id=rule.get("column_id"),
        )
        for rule in body["rules"]
    )
    pause = body.get("pause_in_columns")
    return SlaPolicy(
        id=sla_id,
        version=version,
        name=body["name"],
        rules=rules,
        calendar_id=body.get("calendar_id"),
        pause_in_columns=None if pause is None else frozenset(pause),
    )
