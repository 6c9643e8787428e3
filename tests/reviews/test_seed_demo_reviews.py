"""The demo's review flows go through the real services: one round open, one approved."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from authoring.models import Course
from reviews.models import Comment, Decision, ReviewRequest
from tenants.models import Tenant
from tenants.tenancy import tenant_scope

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_leaves_one_open_round_with_a_comment_and_one_approved_publication():
    run("seed_demo")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        complaint = Course.objects.get(slug="demo-complaint-call")
        (open_round,) = ReviewRequest.objects.filter(course=complaint)
        assert (open_round.status, open_round.round, complaint.status) == (
            "open",
            1,
            "in_review",
        )
        assert open_round.message.startswith("First version")
        (comment,) = Comment.objects.filter(course=complaint)
        assert comment.anchor == "block"
        assert comment.author.user.email == "reviewer@acme.test"
        assert (
            comment.block_id
            == open_round.revision.document["sections"][0]["pages"][0]["blocks"][0]["id"]
        )

        forklift = Course.objects.get(slug="demo-heftruck")
        assert forklift.category == "safety"
        (approved,) = ReviewRequest.objects.filter(course=forklift)
        assert (approved.status, forklift.status) == ("approved", "published")
        assert [d.kind for d in Decision.objects.filter(review=approved)] == ["approve"]


def test_a_second_run_changes_nothing():
    run("seed_demo")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        before = (ReviewRequest.objects.count(), Decision.objects.count(), Comment.objects.count())
    assert "Demo review flows" not in run("seed_demo_reviews")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        after = (ReviewRequest.objects.count(), Decision.objects.count(), Comment.objects.count())
    assert after == before == (2, 1, 1)
