"""Cards: open, read, list, change, move, comment, attach and detach SLA policies."""

import hashlib

import pytest

from tests.e2e.payloads import BOARD, CALENDAR, card, sla


@pytest.fixture
def board(api):
    return api.ok("POST", "/boards", BOARD)


@pytest.fixture
def policy(api):
    calendar = api.ok("POST", "/calendars", CALENDAR)
    return api.ok("POST", "/slas", sla(calendar["id"]))


@pytest.fixture
def opened(api, board):
    return api.ok("POST", "/cards", card(board["id"]), role="agent")


def history(api, card_id):
    return api.ok("GET", f"/cards/{card_id}/history", role="agent")["items"]


# --- POST /cards ------------------------------------------------------------------------


def test_a_card_gets_the_board_key_and_a_number(api, board, opened):
    assert opened["id"] == "SUP-1"
    assert api.ok("POST", "/cards", card(board["id"]), role="agent")["id"] == "SUP-2"


def test_a_card_without_column_enters_the_first_queue_column(api, opened, clock):
    assert opened["column_id"] == "queue"
    assert opened["lane_id"] == "standard"
    assert opened["timers"] == []
    assert opened["created_at"] == "2026-11-02T09:00:00Z"
    [created] = history(api, opened["id"])
    assert created == {
        "seq": 1,
        "kind": "created",
        "at": "2026-11-02T09:00:00Z",
        "data": {"column_id": "queue", "column_kind": "queue", "lane_id": "standard"},
    }


def test_the_status_url_holds_an_unguessable_token_stored_only_as_a_hash(api, opened):
    prefix, token = opened["status_url"].rsplit("/", 1)
    assert prefix == "/status"
    assert len(token) >= 22  # at least 128 bits, URL-safe base64
    stored = str(api.stored())
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert "status_url" not in api.ok("GET", f"/cards/{opened['id']}", role="agent")


def test_sla_ids_pin_the_current_sla_and_calendar_versions(api, board, policy):
    api.ok("PUT", f"/calendars/{policy['calendar_id']}", CALENDAR)
    opened = api.ok("POST", "/cards", card(board["id"], sla_ids=[policy["id"]]), role="agent")
    pin = {"sla_id": policy["id"], "sla_version": 1, "calendar_version": 2}
    assert opened["slas"] == [pin]
    assert history(api, opened["id"])[1]["data"] == pin


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"board_id": "brd_missing"}, "board_id"),
        ({"column_id": "archive"}, "column_id"),
        ({"lane_id": "vip"}, "lane_id"),
        ({"card_type": "incident"}, "card_type"),
        ({"service": "hosting"}, "service"),
        ({"sla_ids": ["sla_missing"]}, "sla_ids[0]"),
        ({"title": ""}, "title"),
        ({"tags": "vip"}, "tags"),
        ({"requester": {"email": "nobody"}}, "requester.email"),
    ],
)
def test_a_bad_card_is_400_naming_the_field_and_uses_no_number(api, board, change, field):
    body = {**card(board["id"]), **change}
    error = api.refused("POST", "/cards", body, role="agent", status=400)
    assert error["details"][0]["field"] == field
    assert api.ok("POST", "/cards", card(board["id"]), role="agent")["id"] == "SUP-1"


# --- GET /cards/{id}, GET /cards ------------------------------------------------------


def test_a_card_reads_back_with_its_fields(api, opened):
    read = api.ok("GET", f"/cards/{opened['id']}", role="agent")
    assert read["title"] == "Login page is down"
    assert read["requester"] == {"email": "ann@customer.example", "name": "Ann"}
    assert read["tags"] == ["vip"]
    assert read["timers"] == []


def test_unknown_card_ids_are_404(api):
    for method, path, body in [
        ("GET", "/cards/SUP-99", None),
        ("PATCH", "/cards/SUP-99", {"title": "x"}),
        ("POST", "/cards/SUP-99/move", {"column_id": "work"}),
        ("POST", "/cards/SUP-99/comments", {"body": "hi"}),
        ("GET", "/cards/SUP-99/comments", None),
        ("POST", "/cards/SUP-99/sla", {"sla_id": "x"}),
        ("DELETE", "/cards/SUP-99/sla/x", None),
        ("GET", "/cards/SUP-99/history", None),
    ]:
        api.refused(method, path, body, role="agent", status=404)


def test_cards_list_by_board_with_filters_and_pages(api, board):
    for index in range(5):
        api.ok(
            "POST",
            "/cards",
            card(board["id"], assignee="ann" if index % 2 else "bob", lane_id="premium"),
            role="agent",
        )
    api.ok("POST", "/cards/SUP-5/move", {"column_id": "work"}, role="agent", status=200)
    base = f"/cards?board_id={board['id']}"

    def ids(query):
        return [item["id"] for item in api.ok("GET", base + query, role="agent")["items"]]

    assert ids("") == ["SUP-1", "SUP-2", "SUP-3", "SUP-4", "SUP-5"]
    assert ids("&assignee=ann") == ["SUP-2", "SUP-4"]
    assert ids("&column_id=work") == ["SUP-5"]
    assert ids("&lane_id=premium&column_id=queue&assignee=bob") == ["SUP-1", "SUP-3"]
    assert ids("&violated=true") == []
    assert len(ids("&violated=false&timers=all")) == 5

    first = api.ok("GET", base + "&assignee=bob&limit=2", role="agent")
    assert [item["id"] for item in first["items"]] == ["SUP-1", "SUP-3"]
    rest = api.ok("GET", base + f"&assignee=bob&limit=2&next={first['next']}", role="agent")
    assert [item["id"] for item in rest["items"]] == ["SUP-5"]
    assert rest["next"] is None


def test_listing_needs_a_known_board(api, board):
    api.refused("GET", "/cards", role="agent", status=400)
    error = api.refused("GET", "/cards?board_id=brd_missing", role="agent", status=400)
    assert error["details"][0]["field"] == "board_id"
    error = api.refused(
        "GET", f"/cards?board_id={board['id']}&violated=maybe", role="agent", status=400
    )
    assert error["details"][0]["field"] == "violated"


# --- PATCH, move ------------------------------------------------------------------------


def test_patch_changes_the_given_fields_and_records_them(api, opened):
    changed = api.ok(
        "PATCH",
        f"/cards/{opened['id']}",
        {"assignee": "ann", "tags": ["vip", "mobile"], "priority": None, "lane_id": "premium"},
        role="agent",
    )
    assert changed["assignee"] == "ann"
    assert changed["tags"] == ["vip", "mobile"]
    assert changed["priority"] is None
    assert changed["lane_id"] == "premium"
    assert changed["title"] == opened["title"]
    assert changed["version"] == opened["version"] + 1
    assert history(api, opened["id"])[-1]["data"] == {
        "changes": {
            "assignee": "ann",
            "tags": ["vip", "mobile"],
            "priority": None,
            "lane_id": "premium",
        }
    }


def test_a_patch_that_changes_nothing_records_nothing(api, opened):
    api.ok("PATCH", f"/cards/{opened['id']}", {"title": opened["title"]}, role="agent")
    assert len(history(api, opened["id"])) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"lane_id": "vip"}, "lane_id"),
        ({"card_type": "incident"}, "card_type"),
        ({"tags": [1]}, "tags[0]"),
    ],
)
def test_a_bad_patch_is_400_naming_the_field(api, opened, change, field):
    error = api.refused("PATCH", f"/cards/{opened['id']}", change, role="agent", status=400)
    assert error["details"][0]["field"] == field


def test_move_records_the_column_kind(api, opened):
    moved = api.ok(
        "POST",
        f"/cards/{opened['id']}/move",
        {"column_id": "wait", "lane_id": "premium"},
        role="agent",
        status=200,
    )
    assert (moved["column_id"], moved["lane_id"]) == ("wait", "premium")
    assert history(api, opened["id"])[-1]["data"] == {
        "column_id": "wait",
        "column_kind": "waiting",
        "lane_id": "premium",
    }


def test_a_move_to_an_unknown_column_is_400(api, opened):
    error = api.refused(
        "POST", f"/cards/{opened['id']}/move", {"column_id": "archive"}, role="agent", status=400
    )
    assert error["details"][0]["field"] == "column_id"


# --- comments ---------------------------------------------------------------------------


def test_comments_are_added_listed_and_recorded(api, opened, clock):
    comment = api.ok(
        "POST",
        f"/cards/{opened['id']}/comments",
        {"body": "Looking", "public": False},
        role="agent",
    )
    assert comment == {
        "seq": 2,
        "body": "Looking",
        "public": False,
        "author": "agent",
        "author_role": "agent",
        "at": "2026-11-02T09:00:00Z",
    }
    assert api.ok("GET", f"/cards/{opened['id']}/comments", role="agent")["items"] == [comment]
    assert history(api, opened["id"])[-1]["data"] == {"public": False, "author_role": "agent"}


def test_an_empty_comment_is_400(api, opened):
    error = api.refused(
        "POST", f"/cards/{opened['id']}/comments", {"body": ""}, role="agent", status=400
    )
    assert error["details"][0]["field"] == "body"


# --- SLA attach / detach ----------------------------------------------------------------


def test_attach_pins_the_latest_versions_and_detach_removes(api, opened, policy):
    api.ok("PUT", f"/slas/{policy['id']}", sla(policy["calendar_id"]))
    attached = api.ok(
        "POST", f"/cards/{opened['id']}/sla", {"sla_id": policy["id"]}, role="agent", status=200
    )
    pin = {"sla_id": policy["id"], "sla_version": 2, "calendar_version": 1}
    assert attached["slas"] == [pin]
    assert history(api, opened["id"])[-1]["kind"] == "sla_attached"
    again = api.ok(
        "POST", f"/cards/{opened['id']}/sla", {"sla_id": policy["id"]}, role="agent", status=200
    )
    assert again["slas"] == [pin]
    assert len(history(api, opened["id"])) == 2

    api.ok("DELETE", f"/cards/{opened['id']}/sla/{policy['id']}", role="agent")
    assert api.ok("GET", f"/cards/{opened['id']}", role="agent")["slas"] == []
    assert history(api, opened["id"])[-1] == {
        "seq": 3,
        "kind": "sla_detached",
        "at": "2026-11-02T09:00:00Z",
        "data": {"sla_id": policy["id"]},
    }
    api.refused("DELETE", f"/cards/{opened['id']}/sla/{policy['id']}", role="agent", status=404)


def test_attaching_an_unknown_sla_is_400_naming_sla_id(api, opened):
    error = api.refused(
        "POST", f"/cards/{opened['id']}/sla", {"sla_id": "sla_missing"}, role="agent", status=400
    )
    assert error["details"][0]["field"] == "sla_id"


# --- history ----------------------------------------------------------------------------


def test_history_lists_in_pages(api, opened):
    for column in ("work", "wait", "work"):
        api.ok(
            "POST", f"/cards/{opened['id']}/move", {"column_id": column}, role="agent", status=200
        )
    first = api.ok("GET", f"/cards/{opened['id']}/history?limit=3", role="agent")
    rest = api.ok(
        "GET", f"/cards/{opened['id']}/history?limit=3&next={first['next']}", role="agent"
    )
    assert [e["seq"] for e in first["items"]] == [1, 2, 3]
    assert [e["seq"] for e in rest["items"]] == [4]
    assert rest["next"] is None


def test_a_lost_race_is_409_and_writes_nothing(api, opened):
    from chalicelib import ports
    from chalicelib.ports.cards import card_store
    from chalicelib.services import cards

    class ChangedAfterOurRead:
        """The card store, but someone else changes the card right after our first read."""

        def __init__(self, store):
            self.store = store
            self.armed = True

        def __getattr__(self, name):
            return getattr(self.store, name)

        def get(self, card_id):
            card = self.store.get(card_id)
            if self.armed:
                self.armed = False
                cards.update_card(card_id, {"assignee": "someone else"})
            return card

    before = history(api, opened["id"])
    racing = ChangedAfterOurRead(card_store())
    ports.provide("cards.card_store", lambda: racing)
    response = api.call("PATCH", f"/cards/{opened['id']}", {"title": "Mine"}, role="agent")
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "conflict"
    after = history(api, opened["id"])
    assert [e["data"] for e in after[len(before) :]] == [{"changes": {"assignee": "someone else"}}]
    assert api.ok("GET", f"/cards/{opened['id']}", role="agent")["title"] == opened["title"]
