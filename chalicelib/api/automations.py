"""Routes for automation rules (admin)."""

from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.automations import Automation, AutomationFields
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.services import automations


@endpoint(
    "POST",
    "/automations",
    role="admin",
    body=AutomationFields,
    response=Automation,
    status=201,
)
def create_automation(body: AutomationFields) -> dict:
    """Create a rule that attaches SLA policies to matching cards of a board."""
    return automations.create_automation(body.model_dump(mode="json"))


@endpoint(
    "GET",
    "/automations",
    role="admin",
    query=PageQuery,
    response=Page[Automation],
)
def list_automations(query: PageQuery) -> dict:
    """List automation rules."""
    return automations.list_automations(query.limit, query.next)


@endpoint("DELETE", "/automations/{automation_id}", role="admin", status=204)
def delete_automation(automation_id: str) -> None:
    """Delete an automation rule; cards keep the SLA policies it attached."""
    automations.delete_automation(automation_id)
