"""Keys and roles: 401 without or with an unknown key, 403 for the wrong role."""

import pytest

from tests.e2e.payloads import BOARD


def test_a_route_without_a_key_is_401(api):
    error = api.refused("POST", "/boards", BOARD, role=None, status=401)
    assert error["code"] == "unauthorized"


def test_an_unknown_key_is_401(api):
    api.keys["admin"] = "not-a-key"
    api.refused("POST", "/boards", BOARD, status=401)


def test_another_scheme_than_bearer_is_401(api):
    api.refused(
        "GET", "/boards", role=None, headers={"Authorization": "Basic dGVzdDp0ZXN0"}, status=401
    )


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("agent", "POST", "/boards", BOARD),
        ("manager", "POST", "/keys", {"name": "bot", "role": "agent"}),
        ("manager", "GET", "/automations", None),
        ("intake", "GET", "/boards", None),
        ("intake", "POST", "/cards", {"board_id": "x", "title": "t"}),
    ],
)
def test_the_wrong_role_is_403_and_writes_nothing(api, role, method, path, body):
    error = api.refused(method, path, body, role=role, status=403)
    assert error["code"] == "forbidden"


@pytest.mark.parametrize("role", ["admin", "manager", "agent"])
def test_roles_nest_admin_over_manager_over_agent(api, role):
    assert api.ok("GET", "/boards", role=role) == {"items": [], "next": None}


def test_public_routes_need_no_key(api):
    assert api.ok("GET", "/health", role=None) == {"status": "ok"}
    assert api.ok("GET", "/openapi.json", role=None)["openapi"] == "3.1.0"
