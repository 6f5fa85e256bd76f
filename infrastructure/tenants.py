"""Tenant files: one JSON file per customer organisation, checked against a schema.

``infrastructure/tenants/<name>.json`` holds everything a customer's stack is
built from (``tenant.schema.json`` documents each field). A bad file is refused
with a message that names the file and the field, before anything is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

INFRASTRUCTURE_DIR = Path(__file__).resolve().parent
TENANTS_DIR = INFRASTRUCTURE_DIR / "tenants"
SCHEMA_PATH = INFRASTRUCTURE_DIR / "tenant.schema.json"


class TenantError(ValueError):
    """A tenant file that cannot be used, with the reason in words."""


@dataclass(frozen=True)
class Throttle:
    """API Gateway throttling: steady requests per second and burst size."""

    rate_limit: float
    burst_limit: int


@dataclass(frozen=True)
class FunctionLimits:
    """How long one function may run and how many of it may run at once."""

    timeout_seconds: int
    reserved_concurrency: int


@dataclass(frozen=True)
class ClientRateLimits:
    """AWS WAF's rate-based rules: requests one client may send in 5 minutes, by route group."""

    all_routes: int
    intake_form: int
    login: int
    status: int


@dataclass(frozen=True)
class Tenant:
    """One customer organisation, as its tenant file describes it (defaults filled in)."""

    name: str
    account: str
    region: str
    mail_from: str
    inbound_domain: str
    inbound_retention_days: int
    alert_subscribers: tuple[str, ...]
    api_throttle: Throttle
    form_throttle: Throttle
    log_retention_days: int
    public_url: str
    function_limits: dict[str, FunctionLimits]
    client_rate_limits: ClientRateLimits
    schedules: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        """The CloudFormation stack of this tenant."""
        return f"Sladesk-{self.name}"


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _defaults(schema: dict[str, Any], *path: str) -> Any:
    """The ``default`` the schema declares at ``path`` (so defaults live in one place)."""
    node = schema
    for name in path:
        node = node["properties"][name]
    return node["default"]


def parse_tenant(document: Any, source: str) -> Tenant:
    """Validate one tenant document; ``source`` names it in error messages."""
    schema = _schema()
    errors = sorted(
        Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)
    )
    if errors:
        lines = [
            f"  {'.'.join(str(part) for part in error.absolute_path) or '(top level)'}: "
            f"{error.message}"
            for error in errors
        ]
        raise TenantError(f"{source} is not a valid tenant file:\n" + "\n".join(lines))
    mail = document["mail"]
    throttling = document.get("api_throttling", {})
    form = throttling.get("public_form", {})
    return Tenant(
        name=document["name"],
        account=document["account"],
        region=document["region"],
        mail_from=mail["from"].lower(),
        inbound_domain=mail["inbound_domain"],
        inbound_retention_days=mail.get(
            "retention_days", _defaults(schema, "mail", "retention_days")
        ),
        alert_subscribers=tuple(document["alert_subscribers"]),
        api_throttle=Throttle(
            rate_limit=throttling.get(
                "rate_limit", _defaults(schema, "api_throttling", "rate_limit")
            ),
            burst_limit=throttling.get(
                "burst_limit", _defaults(schema, "api_throttling", "burst_limit")
            ),
        ),
        form_throttle=Throttle(
            rate_limit=form.get(
                "rate_limit", _defaults(schema, "api_throttling", "public_form", "rate_limit")
            ),
            burst_limit=form.get(
                "burst_limit", _defaults(schema, "api_throttling", "public_form", "burst_limit")
            ),
        ),
        log_retention_days=document.get(
            "log_retention_days", _defaults(schema, "log_retention_days")
        ),
        public_url=document["public_url"],
        function_limits=_function_limits(schema, document.get("functions", {})),
        client_rate_limits=_client_rate_limits(schema, document.get("client_rate_limits", {})),
        schedules=dict(document.get("schedules", {})),
        tags=dict(document.get("tags", {})),
    )


def _function_limits(
    schema: dict[str, Any], chosen: dict[str, dict[str, int]]
) -> dict[str, FunctionLimits]:
    """Every function's limits: the schema's default for it, with the tenant's fields on top."""
    return {
        handler: FunctionLimits(
            **{**_defaults(schema, "functions", handler), **chosen.get(handler, {})}
        )
        for handler in schema["properties"]["functions"]["properties"]
    }


def _client_rate_limits(schema: dict[str, Any], chosen: dict[str, int]) -> ClientRateLimits:
    groups = schema["properties"]["client_rate_limits"]["properties"]
    return ClientRateLimits(
        **{
            group: chosen.get(group, _defaults(schema, "client_rate_limits", group))
            for group in groups
        }
    )


def load_tenant(path: Path) -> Tenant:
    """Read and validate one tenant file; its ``name`` must match the file name."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TenantError(f"{path}: no such tenant file") from None
    except json.JSONDecodeError as error:
        raise TenantError(f"{path} is not JSON: {error}") from None
    tenant = parse_tenant(document, str(path))
    if tenant.name != path.stem:
        raise TenantError(f"{path}: name {tenant.name!r} must match the file name {path.stem!r}")
    return tenant


def load_tenants(names: list[str] | None = None, directory: Path = TENANTS_DIR) -> list[Tenant]:
    """The named tenants (every tenant file in ``directory`` when ``names`` is empty)."""
    paths = (
        [directory / f"{name}.json" for name in names]
        if names
        else sorted(directory.glob("*.json"))
    )
    if not paths:
        raise TenantError(f"no tenant files in {directory}")
    return [load_tenant(path) for path in paths]
