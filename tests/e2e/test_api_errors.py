"""Refusals at the HTTP edge answer the contract's error shape and write nothing."""

import json

from tests.e2e.payloads import BOARD


def test_malformed_json_is_400_invalid_json(api):
    error = api.refused("POST", "/boards", raw='{"name": ', status=400)
    assert error["code"] == "invalid_json"


def test_an_empty_body_is_400(api):
    api.refused("POST", "/boards", raw="", status=400)


def test_a_wrong_type_is_400_naming_the_field(api):
    error = api.refused("POST", "/boards", {**BOARD, "name": 5}, status=400)
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"] == "name"
    assert "name" in error["message"]


def test_a_nested_field_is_named_with_its_path(api):
    columns = [*BOARD["columns"][:1], {"id": "x", "name": "X", "kind": "archive"}]
    error = api.refused("POST", "/boards", {**BOARD, "columns": columns}, status=400)
    assert error["details"][0]["field"] == "columns[1].kind"


def test_a_body_over_one_mib_is_413(api):
    big = json.dumps({**BOARD, "name": "x" * (1024 * 1024)})
    error = api.refused("POST", "/boards", raw=big, status=413)
    assert error["code"] == "payload_too_large"


def test_a_method_the_path_lacks_is_405_in_the_contract_shape(api):
    error = api.refused("PUT", "/health", {}, status=405)
    assert error["code"] == "method_not_allowed"


def test_a_limit_out_of_range_is_400(api):
    for limit in ("0", "101", "many"):
        error = api.refused("GET", f"/boards?limit={limit}", status=400)
        assert error["details"][0]["field"] == "limit"


def test_a_forged_cursor_is_400_naming_next(api):
    error = api.refused("GET", "/boards?next=bm90LWEtY3Vyc29y", status=400)
    assert error["details"][0]["field"] == "next"


def test_an_unhandled_error_is_500_in_the_contract_shape(api, monkeypatch):
    from chalicelib.services import boards

    def broken(limit, cursor):
        raise RuntimeError("boom")

    monkeypatch.setattr(boards, "list_boards", broken)
    response = api.call("GET", "/boards")
    assert response.status_code == 500
    assert response.json_body == {
        "error": {"code": "internal_error", "message": "an internal error occurred"}
    }
