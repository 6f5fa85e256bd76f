"""Routes for SLA policies (admin writes, agent reads)."""

from chalicelib.api.paths import version_number
from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.api.schemas.slas import Sla, SlaFields
from chalicelib.services import slas


@endpoint("POST", "/slas", role="admin", body=SlaFields, response=Sla, status=201)
def create_sla(body: SlaFields) -> dict:
    """Create an SLA policy (version 1)."""
    return slas.create_sla(body.model_dump(mode="json"))


@endpoint("GET", "/slas", role="agent", query=PageQuery, response=Page[Sla])
def list_slas(query: PageQuery) -> dict:
    """List SLA policies (latest versions)."""
    return slas.list_slas(query.limit, query.next)


@endpoint("GET", "/slas/{sla_id}", role="agent", response=Sla)
def get_sla(sla_id: str) -> dict:
    """Read the latest version of an SLA policy."""
    return slas.get_sla(sla_id)


@endpoint("PUT", "/slas/{sla_id}", role="admin", body=SlaFields, response=Sla)
def update_sla(sla_id: str, body: SlaFields) -> dict:
    """Replace an SLA policy: makes version n+1; cards keep the version they were pinned to."""
    return slas.update_sla(sla_id, body.model_dump(mode="json"))


@endpoint("GET", "/slas/{sla_id}/versions/{version}", role="agent", response=Sla)
def get_sla_version(sla_id: str, version: str) -> dict:
    """Read one stored version of an SLA policy."""
    return slas.get_sla_version(sla_id, version_number(version))
