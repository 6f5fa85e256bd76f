"""POST/GET/DELETE /keys: keys shown once, stored as hashes, revoked at once."""

import hashlib


def test_a_created_key_works_and_is_stored_only_as_a_hash(api):
    created = api.ok("POST", "/keys", {"name": "support bot", "role": "agent"})
    assert set(created) == {"id", "key", "name", "role"}
    stored = str(api.stored())
    assert created["key"] not in stored
    assert hashlib.sha256(created["key"].encode()).hexdigest() in stored
    api.keys["bot"] = created["key"]
    assert api.ok("GET", "/boards", role="bot") == {"items": [], "next": None}


def test_keys_are_listed_without_the_keys(api):
    created = api.ok("POST", "/keys", {"name": "support bot", "role": "manager"})
    listed = api.ok("GET", "/keys")
    assert {"id": created["id"], "name": "support bot", "role": "manager"}.items() <= next(
        item for item in listed["items"] if item["id"] == created["id"]
    ).items()
    assert all("key" not in item for item in listed["items"])
    assert created["key"] not in str(listed)


def test_keys_list_in_pages(api):
    first = api.ok("GET", "/keys?limit=3")
    assert len(first["items"]) == 3
    assert first["next"]
    second = api.ok("GET", f"/keys?limit=3&next={first['next']}")
    assert len(second["items"]) == 1
    assert second["next"] is None
    assert {k["id"] for k in first["items"]}.isdisjoint(k["id"] for k in second["items"])


def test_a_deleted_key_stops_at_once(api):
    created = api.ok("POST", "/keys", {"name": "temp", "role": "agent"})
    api.ok("DELETE", f"/keys/{created['id']}")
    api.keys["temp"] = created["key"]
    api.refused("GET", "/boards", role="temp", status=401)


def test_deleting_an_unknown_key_is_404(api):
    api.refused("DELETE", "/keys/0123456789abcdef", status=404)


def test_an_unknown_role_is_400_naming_the_field(api):
    error = api.refused("POST", "/keys", {"name": "bot", "role": "owner"}, status=400)
    assert error["details"][0]["field"] == "role"
