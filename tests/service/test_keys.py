"""API keys and staff sessions through the services on the fakes."""

import pytest

from chalicelib.bootstrap.config import KEY_STORE, SECRETS
from chalicelib.services import keys, sessions
from chalicelib.services.errors import InvalidInputError, NotFoundError
from chalicelib.services.sessions import SESSION_SECRET_ENV, SessionsUnavailableError

pytestmark = pytest.mark.usefixtures("world")


def test_a_created_key_is_stored_only_as_its_hash_and_authenticates(world):
    key_id, raw_key = keys.create_key("ci", "agent")
    stored = world.stores[KEY_STORE].keys
    assert list(stored) == [keys.hash_key(raw_key)]
    assert raw_key not in repr(stored)
    principal = keys.authenticate(raw_key)
    assert (principal.key_id, principal.name, principal.role) == (key_id, "ci", "agent")
    assert keys.authenticate(raw_key + "x") is None


def test_ensure_key_stores_a_given_key_once():
    first = keys.ensure_key("sld_local", "local", "admin")
    assert keys.ensure_key("sld_local", "local again", "admin") == first
    assert [k["name"] for k in keys.list_keys(10, None)["items"]] == ["local"]


def test_roles_nest_and_intake_stands_apart():
    principal = keys.authenticate(keys.create_key("boss", "manager")[1])
    assert [principal.may_act_as(role) for role in keys.ROLES] == [False, True, True, False]
    with pytest.raises(InvalidInputError) as refused:
        keys.create_key("x", "owner")
    assert refused.value.field == "role"


def test_keys_list_in_pages_without_the_keys():
    made = {keys.create_key(f"k{n}", "agent")[0] for n in range(5)}
    first = keys.list_keys(3, None)
    rest = keys.list_keys(3, first["next"])
    assert rest["next"] is None
    listed = first["items"] + rest["items"]
    assert {k["id"] for k in listed} == made
    assert all(set(k) == {"id", "name", "role", "created_at"} for k in listed)


def test_a_deleted_key_stops_at_once():
    key_id, raw_key = keys.create_key("gone", "agent")
    keys.delete_key(key_id)
    assert keys.authenticate(raw_key) is None
    with pytest.raises(NotFoundError):
        keys.delete_key(key_id)


@pytest.fixture
def secret(world):
    world.stores[SECRETS].values[SESSION_SECRET_ENV] = "a session secret"
    return world.stores[SECRETS]


def test_a_session_carries_its_key_until_it_expires(secret, world):
    key_id, raw_key = keys.create_key("ann", "agent")
    cookie, principal = sessions.start_session(raw_key)
    assert principal.key_id == key_id
    assert sessions.session_principal(cookie) == principal
    world.clock.advance(sessions.session_seconds())
    assert sessions.session_principal(cookie) is None


def test_a_forged_revoked_or_unknown_session_opens_nothing(secret):
    key_id, raw_key = keys.create_key("ann", "agent")
    cookie, _ = sessions.start_session(raw_key)
    assert sessions.start_session("sld_unknown") is None
    assert sessions.session_principal(cookie.replace(".agent.", ".admin.")) is None
    assert sessions.session_principal(None) is None
    secret.values[SESSION_SECRET_ENV] = "another secret"
    assert sessions.session_principal(cookie) is None
    secret.values[SESSION_SECRET_ENV] = "a session secret"
    keys.delete_key(key_id)
    assert sessions.session_principal(cookie) is None


def test_without_a_readable_secret_no_one_signs_in(secret, monkeypatch):
    monkeypatch.delenv("SLADESK_DEV", raising=False)
    raw_key = keys.create_key("ann", "agent")[1]
    secret.unreadable.add(SESSION_SECRET_ENV)
    with pytest.raises(SessionsUnavailableError):
        sessions.start_session(raw_key)
    secret.unreadable.clear()
    secret.values.clear()
    with pytest.raises(SessionsUnavailableError):
        sessions.start_session(raw_key)
