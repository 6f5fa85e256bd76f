"""What fuzzing the API found, kept as plain tests so that it stays fixed.

Each test is the smallest request ``test_fuzz_openapi.py`` found answering
a server error or off its schema, and the answer the contract asks for.
"""

from tests.e2e.payloads import BOARD, sla


def test_an_empty_board_id_is_an_unknown_board_not_a_server_error(api):
    # DynamoDB refuses an empty string as a key value; an empty id must name nothing instead.
    sla_id = api.ok("POST", "/slas", sla())["id"]

    card = api.refused("POST", "/cards", {"board_id": "", "title": "0"}, status=400)
    automation = api.refused(
        "POST", "/automations", {"board_id": "", "name": "0", "attach": [sla_id]}, status=400
    )
    listed = api.call("GET", "/cards?board_id=")

    assert card["details"][0]["field"] == "board_id"
    assert automation["details"][0]["field"] == "board_id"
    assert listed.status_code in (400, 404), listed.body
    assert listed.json_body["error"]["code"] != "internal_error"


def test_an_empty_sla_id_is_an_unknown_sla_not_a_server_error(api):
    board_id = api.ok("POST", "/boards", BOARD)["id"]

    automation = api.refused(
        "POST", "/automations", {"board_id": board_id, "name": "0", "attach": [""]}, status=400
    )
    card = api.refused(
        "POST", "/cards", {"board_id": board_id, "title": "0", "sla_ids": [""]}, status=400
    )

    assert automation["details"][0]["field"].startswith("attach")
    assert card["details"][0]["field"].startswith("sla_ids")
