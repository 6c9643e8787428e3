"""GET /api/v1/reviews/{review_uuid}/diff/ and review_diff: the resubmission against the last
reviewed round, with the permissions of reading the review."""

from __future__ import annotations

import pytest

from authoring.models import Page
from authoring.services.blocks import page_apply_operations
from egl_platform.errors import Forbidden, NotFound
from reviews import services
from reviews.diff import review_diff
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(acme):
    with acme.scope():
        return make_cast(acme)


def the_page(cast) -> Page:
    return Page.objects.select_related("section__course").get(section__course=cast.course)


def edit(cast, operations) -> None:
    page = the_page(cast)
    page_apply_operations(
        actor=cast.owner, page=page, base_version=page.version, operations=operations
    )


def text(value: str) -> dict:
    return {"type": "rich_text", "data": {"text": f"<p>{value}</p>"}}


@pytest.fixture
def two_rounds(acme, cast):
    """Round 1 with blocks one, two; changes requested; block two edited; round 2 submitted."""
    with acme.scope():
        edit(
            cast,
            [
                {"op": "insert", "index": None, "block": text("First block.")},
                {"op": "insert", "index": None, "block": text("Save often.")},
            ],
        )
        first = services.review_submit(actor=cast.owner, course=cast.reload())
        services.review_request_changes(
            actor=acme.reviewer,
            review=first,
            revision_number=first.revision.number,
            note="Say more",
        )
        block_id = the_page(cast).blocks[1]["id"]
        edit(
            cast,
            [
                {
                    "op": "update",
                    "block_id": block_id,
                    "data": {"text": "<p>Save your work often.</p>"},
                }
            ],
        )
        second = services.review_submit(actor=cast.owner, course=cast.reload())
        # Load the pinned revisions in the tenant's scope (row-level security on PostgreSQL).
        assert first.revision.number < second.revision.number
        return first, second, block_id


def test_the_resubmission_shows_exactly_the_edited_block(acme, cast, two_rounds):
    first, second, block_id = two_rounds
    response = acme.client_for(acme.reviewer).get(f"/api/v1/reviews/{second.uuid}/diff/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["old_revision"] == first.revision.number
    assert body["new_revision"] == second.revision.number
    assert body["course"] == body["objectives"] == body["sections"] == body["pages"] == []
    assert len(body["blocks"]) == 1
    block = body["blocks"][0]
    assert block["id"] == block_id
    assert block["status"] == "changed"
    assert block["moved"] is False
    assert block["other_changes"] == []
    assert block["segments"] == [
        {
            "key": "text",
            "status": "changed",
            "runs": [
                {"op": "equal", "text": "Save "},
                {"op": "insert", "text": "your work "},
                {"op": "equal", "text": "often."},
            ],
        }
    ]
    assert body["summary"]["blocks"] == {
        "added": 0,
        "removed": 0,
        "changed": 1,
        "unchanged": 1,
        "moved": 0,
    }


def test_unchanged_items_on_request(acme, cast, two_rounds):
    _first, second, block_id = two_rounds
    client = acme.client_for(acme.reviewer)
    body = client.get(f"/api/v1/reviews/{second.uuid}/diff/?unchanged=true").json()
    assert [b["status"] for b in body["blocks"]] == ["unchanged", "changed"]
    assert body["blocks"][1]["id"] == block_id
    assert client.get(f"/api/v1/reviews/{second.uuid}/diff/?unchanged=maybe").status_code == 400


def test_round_one_is_all_added(acme, cast, two_rounds):
    first, _second, _block_id = two_rounds
    body = acme.client_for(cast.owner).get(f"/api/v1/reviews/{first.uuid}/diff/").json()
    assert body["old_revision"] is None
    assert body["new_revision"] == first.revision.number
    assert [b["status"] for b in body["blocks"]] == ["added", "added"]
    assert body["blocks"][1]["segments"][0]["runs"] == [{"op": "insert", "text": "Save often."}]
    assert {s["status"] for s in body["sections"]} == {"added"}
    assert {f["field"] for f in body["course"]} >= {"title"}


def test_the_author_and_coauthor_see_it_others_do_not(acme, cast, two_rounds):
    _first, second, _block_id = two_rounds
    url = f"/api/v1/reviews/{second.uuid}/diff/"
    assert acme.client_for(cast.owner).get(url).status_code == 200
    assert acme.client_for(cast.coauthor).get(url).status_code == 200
    other = acme.client_for(cast.other_author).get(url)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    assert acme.client_for(acme.learner).get(url).status_code == 403


def test_another_tenant_gets_404(acme, globex, cast, two_rounds):
    _first, second, _block_id = two_rounds
    url = f"/api/v1/reviews/{second.uuid}/diff/"
    assert globex.client_for(globex.reviewer).get(url).status_code == 404
    assert globex.client_for(globex.admin).get(url).status_code == 404


def test_unknown_or_malformed_uuid_is_404(acme, cast):
    client = acme.client_for(acme.reviewer)
    assert client.get("/api/v1/reviews/not-a-uuid/diff/").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/v1/reviews/{missing}/diff/").status_code == 404


def test_anonymous_is_refused(acme, cast, two_rounds, client):
    _first, second, _block_id = two_rounds
    response = client.get(f"/api/v1/reviews/{second.uuid}/diff/", HTTP_HOST=acme.host())
    assert response.status_code in (401, 403)


def test_review_diff_checks_the_actor(acme, cast, two_rounds):
    _first, second, _block_id = two_rounds
    with acme.scope():
        assert review_diff(actor=acme.reviewer, review=second).summary["blocks"]["changed"] == 1
        with pytest.raises(NotFound):
            review_diff(actor=cast.other_author, review=second)
        with pytest.raises(Forbidden):
            review_diff(actor=acme.learner, review=second)


def test_a_withdrawn_round_is_not_the_base(acme, cast, two_rounds):
    first, second, _block_id = two_rounds
    with acme.scope():
        services.review_withdraw(actor=cast.owner, review=second)
        edit(cast, [{"op": "insert", "index": None, "block": text("Third.")}])
        third = services.review_submit(actor=cast.owner, course=cast.reload())
        diff = review_diff(actor=acme.reviewer, review=third)
        assert diff.new_revision == third.revision.number
    assert diff.old_revision == first.revision.number
    assert [b.status for b in diff.blocks] == ["changed", "added"]
