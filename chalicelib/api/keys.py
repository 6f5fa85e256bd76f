"""Routes for API keys (admin)."""

from chalicelib.api.registry import endpoint
from chalicelib.api.schemas.common import Page, PageQuery
from chalicelib.api.schemas.keys import KeyCreate, KeyCreated, KeyInfo
from chalicelib.services import keys


@endpoint("POST", "/keys", role="admin", body=KeyCreate, response=KeyCreated, status=201)
def create_key(body: KeyCreate) -> dict:
    """Create an API key; the key itself is shown only in this answer."""
    key_id, raw_key = keys.create_key(body.name, body.role)
    return {"id": key_id, "key": raw_key, "name": body.name, "role": body.role}


@endpoint("GET", "/keys", role="admin", query=PageQuery, response=Page[KeyInfo])
def list_keys(query: PageQuery) -> dict:
    """List key ids, names and roles (never the keys)."""
    return keys.list_keys(query.limit, query.next)


@endpoint("DELETE", "/keys/{key_id}", role="admin", status=204)
def delete_key(key_id: str) -> None:
    """Revoke a key at once."""
    keys.delete_key(key_id)
