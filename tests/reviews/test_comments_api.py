"""The comment API: shapes, roles, 400/403/404/409 in the error envelope, and a list whose
query count does not grow with its comments."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authoring.models import Page
from reviews import comments as svc
from reviews.models import Comment, CommentStatus
from tests.reviews.test_comments import make_setup

pytestmark = pytest.mark.django_db


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def setup(acme):
    with acme.scope():
        return make_setup(acme)


def comments_url(setup):
    return f"/api/v1/reviews/{setup.review.uuid}/comments/"


def block_body(setup, body="Please fix"):
    return {
        "anchor": "block",
        "page_uuid": str(setup.page.uuid),
        "block_id": setup.block_id,
        "body": body,
    }


def test_post_and_list_threads_of_a_review(acme, setup):
    client = acme.client_for(acme.reviewer)
    response = send(
        client,
        "post",
        comments_url(setup),
        block_body(setup, f"@{setup.cast.owner.user.email} <b>hi</b>"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["anchor"] == "block"
    assert body["block_id"] == setup.block_id
    assert body["page_uuid"] == str(setup.page.uuid)
    assert body["review"] == str(setup.review.uuid)
    assert body["round"] == 1
    assert body["parent_uuid"] is None
    assert body["author"]["uuid"] == str(acme.reviewer.uuid)
    assert body["mentions"] == [str(setup.cast.owner.uuid)]
    assert "<b>" not in body["body"]
    assert body["status"] == "open"

    owner = acme.client_for(setup.cast.owner)
    reply = send(owner, "post", f"/api/v1/comments/{body['uuid']}/replies/", {"body": "Done"})
    assert reply.status_code == 201, reply.content
    assert reply.json()["parent_uuid"] == body["uuid"]

    listed = owner.get(comments_url(setup))
    assert listed.status_code == 200
    threads = listed.json()
    assert len(threads) == 1
    assert threads[0]["comment"]["uuid"] == body["uuid"]
    assert [r["body"] for r in threads[0]["replies"]] == ["Done"]
    assert threads[0]["anchor_missing"] is False
    assert threads[0]["shown_on_page"] == str(setup.page.uuid)


def test_block_not_in_pinned_revision_is_400_nothing_saved(acme, setup):
    client = acme.client_for(acme.reviewer)
    response = send(
        client, "post", comments_url(setup), {**block_body(setup), "block_id": "no-such-block"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "version under review" in error["message"]
    with acme.scope():
        assert not Comment.objects.exists()


def test_bad_anchor_is_400(acme, setup):
    client = acme.client_for(acme.reviewer)
    response = send(client, "post", comments_url(setup), {"anchor": "section", "body": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "expected"),
    [("learner", 403), ("other_author", 404), ("coauthor", 201), ("owner", 201)],
)
def test_who_may_comment(acme, setup, role, expected):
    client = acme.client_for(setup.cast.role(role))
    response = send(client, "post", comments_url(setup), block_body(setup))
    assert response.status_code == expected, response.content
    with acme.scope():
        assert Comment.objects.count() == (1 if expected == 201 else 0)


def test_other_tenant_gets_404(acme, globex, setup):
    with acme.scope():
        comment = svc.comment_add(
            actor=acme.reviewer, review=setup.review, anchor="course", body="Mine"
        )
    client = globex.client_for(globex.admin)
    assert client.get(comments_url(setup)).status_code == 404
    assert send(client, "post", comments_url(setup), block_body(setup)).status_code == 404
    for path in ("replies/", "resolve/", "reopen/"):
        url = f"/api/v1/comments/{comment.uuid}/{path}"
        assert send(client, "post", url, {"body": "x"}).status_code == 404
    assert (
        send(client, "patch", f"/api/v1/comments/{comment.uuid}/", {"body": "x"}).status_code == 404
    )
    response = client.get(f"/api/v1/review-comments/?course={setup.cast.course.uuid}")
    assert response.status_code == 404
    with acme.scope():
        assert Comment.objects.get().body == "Mine"
        assert Comment.objects.count() == 1


def test_resolve_reopen_and_conflict(acme, setup):
    with acme.scope():
        comment = svc.comment_add(
            actor=acme.reviewer, review=setup.review, anchor="course", body="Thread"
        )
    owner = acme.client_for(setup.cast.owner)
    url = f"/api/v1/comments/{comment.uuid}/"
    resolved = send(owner, "post", url + "resolve/")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"]["uuid"] == str(setup.cast.owner.uuid)
    again = send(owner, "post", url + "resolve/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert (
        send(acme.client_for(setup.cast.other_author), "post", url + "reopen/").status_code == 404
    )
    assert send(acme.client_for(acme.learner), "post", url + "reopen/").status_code == 403
    with acme.scope():
        assert Comment.objects.get(pk=comment.pk).status == CommentStatus.RESOLVED
    reopened = send(acme.client_for(acme.reviewer), "post", url + "reopen/")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"


def test_edit_own_only(acme, setup):
    with acme.scope():
        comment = svc.comment_add(
            actor=acme.reviewer, review=setup.review, anchor="course", body="Original"
        )
    url = f"/api/v1/comments/{comment.uuid}/"
    forbidden = send(acme.client_for(setup.cast.owner), "patch", url, {"body": "Mine now"})
    assert forbidden.status_code == 403
    edited = send(acme.client_for(acme.reviewer), "patch", url, {"body": "Edited"})
    assert edited.status_code == 200
    assert edited.json()["body"] == "Edited"
    assert edited.json()["edited_at"] is not None
    empty = send(acme.client_for(acme.reviewer), "patch", url, {"body": ""})
    assert empty.status_code == 400
    with acme.scope():
        assert Comment.objects.get(pk=comment.pk).body == "Edited"


def test_course_comments_flag_missing_anchor(acme, setup):
    with acme.scope():
        comment = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.block_id,
            body="On a block",
        )
        Page.objects.filter(pk=setup.page.pk).update(blocks=[])
    client = acme.client_for(setup.cast.coauthor)
    response = client.get(f"/api/v1/review-comments/?course={setup.cast.course.uuid}")
    assert response.status_code == 200, response.content
    [thread] = response.json()
    assert thread["comment"]["uuid"] == str(comment.uuid)
    assert thread["anchor_missing"] is True
    assert thread["shown_on_page"] == str(setup.page.uuid)
    assert client.get("/api/v1/review-comments/").status_code == 400
    learner = acme.client_for(acme.learner)
    url = f"/api/v1/review-comments/?course={setup.cast.course.uuid}"
    assert learner.get(url).status_code == 403
    assert acme.client_for(setup.cast.other_author).get(url).status_code == 404


def _count_list_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def test_list_query_count_does_not_grow(acme, setup):
    client = acme.client_for(acme.reviewer)
    urls = [f"/api/v1/review-comments/?course={setup.cast.course.uuid}", comments_url(setup)]
    with acme.scope():
        root = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.block_id,
            body="1",
        )
        svc.comment_reply(actor=setup.cast.owner, comment=root, body="r")
    client.get(urls[0])  # warm the session and caches
    few = [_count_list_queries(client, url) for url in urls]
    assert [len(body) for _, body in few] == [1, 1]
    with acme.scope():
        for n in range(6):
            root = svc.comment_add(
                actor=acme.reviewer if n % 2 else setup.cast.coauthor,
                review=setup.review,
                anchor="block",
                page_uuid=setup.page.uuid,
                block_id=setup.block_id,
                body=f"c{n}",
            )
            svc.comment_reply(actor=setup.cast.owner, comment=root, body="r")
            svc.comment_resolve(actor=acme.reviewer, comment=root)
    many = [_count_list_queries(client, url) for url in urls]
    assert [len(body) for _, body in many] == [7, 7]
    assert [count for count, _ in many] == [count for count, _ in few]
