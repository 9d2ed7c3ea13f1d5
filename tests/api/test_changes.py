"""The changes feed: events per caller, cursors, paging, bad input."""

from __future__ import annotations

from tests import helpers


def feed(client, caller, since=None, limit=100):
    query = {"limit": limit} | ({"since": since} if since else {})
    response = client.get("/api/v1/changes", query_string=query, headers=caller.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def events(client, caller, since=None):
    return [(item["event"], item["id"]) for item in feed(client, caller, since)["items"]]


def change_status(client, caller, record, status):
    _, etag = helpers.read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"status": status},
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def delete(client, caller, record):
    _, etag = helpers.read(client, caller, record)
    response = client.delete(
        f"/api/v1/objects/{record['id']}", headers={**caller.headers, "If-Match": etag}
    )
    assert response.status_code == 204


def test_each_caller_sees_the_life_of_a_record_through_its_own_view(client, users):
    curator = users["curator"]
    record = helpers.obj(client, curator)  # a draft
    oid = record["id"]
    change_status(client, curator, record, "internal")
    change_status(client, curator, record, "public")
    change_status(client, curator, record, "internal")
    delete(client, curator, record)

    assert events(client, curator) == [
        ("created", oid),
        ("updated", oid),
        ("updated", oid),
        ("updated", oid),
        ("deleted", oid),
    ]
    assert events(client, users["researcher"]) == [
        ("published", oid),
        ("updated", oid),
        ("updated", oid),
        ("deleted", oid),
    ]
    assert events(client, users["anonymous"]) == [("published", oid), ("unpublished", oid)]


def test_a_draft_never_published_is_invisible_to_anonymous_and_researchers(client, users):
    curator = users["curator"]
    draft = helpers.obj(client, curator, title={"fr": "Brouillon"})
    delete(client, curator, draft)
    assert events(client, users["anonymous"]) == []
    assert events(client, users["researcher"]) == []
    assert [e for e, _ in events(client, curator)] == ["created", "deleted"]


def test_items_carry_id_number_and_time(client, users):
    record = helpers.obj(client, users["curator"], status="public", object_number="1997.0001.001")
    [item] = feed(client, users["anonymous"])["items"]
    assert item["event"] == "created"
    assert item["id"] == record["id"]
    assert item["object_number"] == "1997.0001.001"
    assert item["at"].endswith("Z") and item["at"] >= record["created_at"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, users):
    curator = users["curator"]
    made = [helpers.obj(client, curator, status="public")["id"] for _ in range(5)]
    first = feed(client, users["anonymous"], limit=2)
    assert [i["id"] for i in first["items"]] == made[:2]
    assert first["has_more"] is True
    assert "since=" in first["next"]
    second = feed(client, users["anonymous"], since=first["cursor"], limit=2)
    third = feed(client, users["anonymous"], since=second["cursor"], limit=2)
    assert [i["id"] for i in second["items"] + third["items"]] == made[2:]
    assert third["has_more"] is False
    # The end cursor is stable: nothing new, same cursor; a later change appears after it.
    again = feed(client, users["anonymous"], since=third["cursor"])
    assert again["items"] == [] and again["cursor"] == third["cursor"]
    later = helpers.obj(client, curator, status="public")
    assert events(client, users["anonymous"], third["cursor"]) == [("created", later["id"])]


def test_without_since_the_feed_starts_from_the_beginning(client, users):
    first = helpers.obj(client, users["curator"], status="public")
    for _ in range(3):
        helpers.obj(client, users["curator"], status="public")
    assert feed(client, users["anonymous"])["items"][0]["id"] == first["id"]


def test_a_forged_cursor_is_a_400_problem(client, users):
    for cursor in ("nonsense", "c1.!!!", "c1.LTE", "c1." + "A" * 60):
        response = client.get("/api/v1/changes", query_string={"since": cursor})
        assert response.status_code in (400, 422), cursor
        assert response.mimetype == "application/problem+json"


def test_limit_out_of_range_is_a_422(client, users):
    for limit in ("0", "1001", "many"):
        response = client.get("/api/v1/changes", query_string={"limit": limit})
        assert response.status_code == 422, limit
        assert response.mimetype == "application/problem+json"
