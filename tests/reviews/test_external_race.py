"""A withdrawal committed while an outside expert is commenting wins, on PostgreSQL row locks."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from reviews import external as svc
from reviews.models import Comment, ExternalReviewLink
from tenants.tenancy import tenant_scope
from tests.reviews.test_comments import make_setup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two real connections with row locks"
    ),
]


def test_a_withdrawal_in_progress_blocks_the_comment_and_wins(acme):
    with acme.scope():
        setup = make_setup(acme)
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
        stale = svc.external_link_resolve(_url.rstrip("/").rsplit("/", 1)[-1])
    outcome: list[object] = [None]

    def comment() -> None:
        try:
            with tenant_scope(acme.tenant):
                outcome[0] = svc.external_comment_add(link=stale, anchor="course", body="Late")
        except Exception as error:
            outcome[0] = error
        finally:
            connections.close_all()

    with acme.scope(), transaction.atomic():
        svc.external_link_revoke(actor=acme.reviewer, link=link)  # locked until we commit
        worker = threading.Thread(target=comment)
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive(), f"the comment did not wait for the withdrawal: {outcome}"
    worker.join(timeout=30)
    assert isinstance(outcome[0], svc.LinkUnusable), outcome
    with acme.scope():
        assert not Comment.objects.exists()
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is not None
