"""The course workspace's "Review and publishing" card: state, submit, withdraw, publish."""

from __future__ import annotations

import pytest

from authoring.models import CourseStatus
from reviews import pools
from reviews.models import ReviewCategory, ReviewRequest, ReviewStatus
from reviews.services import categories_ensure_defaults
from tests.factories import MembershipFactory
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(acme):
    with acme.scope():
        return make_cast(acme)  # compliance: approval required


@pytest.fixture
def product(acme):
    with acme.scope():
        return make_cast(acme, category="product", tag="p")  # no approval required


def url(cast, action):
    return f"/reviews/courses/{cast.course.uuid}/{action}/"


def rounds(acme, cast):
    with acme.scope():
        return list(ReviewRequest.objects.filter(course=cast.course).order_by("round"))


def test_workspace_links_the_card(acme, cast):
    response = acme.client_for(cast.owner).get(f"/courses/{cast.course.uuid}/")
    content = response.content.decode()
    assert f'hx-get="{url(cast, "workspace")}"' in content
    assert f'href="{url(cast, "workspace")}"' in content  # without JavaScript


def test_card_fragment_shows_the_policy_and_actions(acme, cast):
    client = acme.client_for(cast.owner)
    response = client.get(url(cast, "workspace"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "Required: 1 approval before publishing." in content
    assert url(cast, "submit") in content
    assert url(cast, "publish") not in content  # compliance: not before approval
    assert release_publish_url(cast) not in content
    assert url(cast, "withdraw") not in content
    page = client.get(url(cast, "workspace"))
    assert "<html" in page.content.decode()


def test_card_offers_reviewers_from_the_pool_only(acme, cast):
    with acme.scope():
        categories_ensure_defaults()
        outsider = MembershipFactory(roles=["reviewer"], user__email="outsider@acme.test")
        pools.category_pool_set(
            actor=acme.admin,
            category=ReviewCategory.objects.get(slug="compliance"),
            members=[acme.reviewer],
            groups=[],
        )
    content = acme.client_for(cast.owner).get(url(cast, "workspace")).content.decode()
    assert f'value="{acme.reviewer.uuid}"' in content
    assert f'value="{outsider.uuid}"' not in content


def test_submit_with_message_and_reviewers_opens_round_one(acme, cast):
    client = acme.client_for(cast.owner)
    response = client.post(
        url(cast, "submit"),
        {"message": "Please check page 2", "reviewers": [str(acme.reviewer.uuid)]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/courses/{cast.course.uuid}/#review")
    [review] = rounds(acme, cast)
    assert (review.round, review.status, review.message) == (1, "open", "Please check page 2")
    with acme.scope():
        assert list(review.reviewers.all()) == [acme.reviewer]
        assert cast.reload().status == CourseStatus.IN_REVIEW
    card = client.get(url(cast, "workspace")).content.decode()
    assert "In review: round 1" in card
    assert acme.reviewer.user.name in card
    assert url(cast, "withdraw") in card


def test_submit_without_reviewers_goes_to_the_queue(acme, cast):
    response = acme.client_for(cast.owner).post(url(cast, "submit"), {"message": ""})
    assert response.status_code == 302
    [review] = rounds(acme, cast)
    with acme.scope():
        assert list(review.reviewers.all()) == []


def test_submit_twice_is_a_conflict_and_changes_nothing(acme, cast):
    client = acme.client_for(cast.owner)
    assert client.post(url(cast, "submit"), {"message": "one"}).status_code == 302
    response = client.post(url(cast, "submit"), {"message": "two"})
    assert response.status_code == 409
    assert "This course already has an open review." in response.content.decode()
    assert [r.message for r in rounds(acme, cast)] == ["one"]


def test_submit_with_bad_input_keeps_what_was_typed(acme, cast):
    response = acme.client_for(cast.owner).post(
        url(cast, "submit"), {"message": "Keep me", "reviewers": [str(acme.author.uuid)]}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Keep me" in content
    assert rounds(acme, cast) == []
    with acme.scope():
        assert cast.reload().status == CourseStatus.DRAFT


def test_submit_refuses_a_reviewer_outside_the_pool(acme, cast):
    with acme.scope():
        categories_ensure_defaults()
        other = MembershipFactory(roles=["reviewer"], user__email="notpool@acme.test")
        pools.category_pool_set(
            actor=acme.admin,
            category=ReviewCategory.objects.get(slug="compliance"),
            members=[acme.reviewer],
            groups=[],
        )
    response = acme.client_for(cast.owner).post(
        url(cast, "submit"), {"reviewers": [str(other.uuid)]}
    )
    assert response.status_code == 400
    assert rounds(acme, cast) == []


def test_withdraw_closes_the_round(acme, cast):
    client = acme.client_for(cast.owner)
    client.post(url(cast, "submit"), {})
    response = client.post(url(cast, "withdraw"))
    assert response.status_code == 302
    [review] = rounds(acme, cast)
    assert review.status == ReviewStatus.WITHDRAWN
    with acme.scope():
        assert cast.reload().status == CourseStatus.DRAFT


def test_withdraw_without_an_open_round_is_a_conflict(acme, cast):
    response = acme.client_for(cast.owner).post(url(cast, "withdraw"))
    assert response.status_code == 409
    assert "no open review" in response.content.decode()


def test_publish_is_refused_before_approval_when_required(acme, cast):
    response = acme.client_for(cast.owner).post(url(cast, "publish"))
    assert response.status_code == 409
    with acme.scope():
        assert cast.reload().status == CourseStatus.DRAFT


def release_publish_url(cast):
    """Publishing makes a release in a job (courses.publishing): the card's form goes there."""
    return f"/publishing/courses/{cast.course.uuid}/publish/"


def test_publish_after_approval(acme, cast):
    with acme.scope():
        bring_to(cast, CourseStatus.APPROVED)
    client = acme.client_for(cast.owner)
    assert release_publish_url(cast) in client.get(url(cast, "workspace")).content.decode()
    # The old address checks the policy and leads to the releases page; it never publishes
    # without a release (tests/courses/test_publishing_views.py covers the release form).
    response = client.post(url(cast, "publish"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/publishing/courses/{cast.course.uuid}/")
    with acme.scope():
        assert cast.reload().status == CourseStatus.APPROVED


def test_author_may_publish_directly_when_approval_is_not_required(acme, product):
    client = acme.client_for(product.owner)
    card = client.get(url(product, "workspace")).content.decode()
    assert "Not required" in card
    assert release_publish_url(product) in card
    assert "Ask for a review" in card  # and may still choose to ask
    assert client.post(url(product, "publish")).status_code == 302
    with acme.scope():
        assert product.reload().status == CourseStatus.DRAFT  # published by the release job


def test_publish_in_review_is_a_conflict(acme, product):
    client = acme.client_for(product.owner)
    client.post(url(product, "submit"), {})
    response = client.post(url(product, "publish"))
    assert response.status_code == 409
    with acme.scope():
        assert product.reload().status == CourseStatus.IN_REVIEW


def test_card_shows_the_last_decision_with_its_note(acme, cast):
    with acme.scope():
        bring_to(cast, CourseStatus.CHANGES_REQUESTED)
    card = acme.client_for(cast.owner).get(url(cast, "workspace")).content.decode()
    assert "Last decision" in card
    assert "Request changes" in card
    assert "Fix" in card


@pytest.mark.parametrize("action", ["workspace", "submit", "withdraw", "publish"])
def test_roles_and_tenants(acme, globex, cast, action):
    method = "get" if action == "workspace" else "post"
    learner = getattr(acme.client_for(acme.learner), method)(url(cast, action))
    assert learner.status_code == 403
    stranger = getattr(acme.client_for(cast.other_author), method)(url(cast, action))
    assert stranger.status_code == 404
    foreign = getattr(globex.client_for(globex.admin), method)(url(cast, action))
    assert foreign.status_code == 404
    assert rounds(acme, cast) == []


def test_reviewer_cannot_submit_someone_elses_course(acme, cast):
    response = acme.client_for(acme.reviewer).post(url(cast, "submit"), {})
    assert response.status_code == 403
    assert rounds(acme, cast) == []
