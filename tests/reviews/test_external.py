"""External reviewers through the services: the signed link (create, e-mail, resolve, expire,
withdraw, another tenant's token), and comment-only access with attributed comments."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from reviews import comments as member_comments
from reviews import external as svc
from reviews import services
from reviews.models import Comment, ExternalReviewLink
from reviews.tasks_external import external_invite_send_email
from tenants.models import AuditEvent
from tests.reviews.test_comments import Setup, make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(acme) -> Setup:
    with acme.scope():
        return make_setup(acme)


def create(setup: Setup, actor=None, **overrides):
    values = {"name": "Dr. Ada Expert", "email": "Ada@Example.test", "days": 14, **overrides}
    return svc.external_link_create(
        actor=actor or setup.cast.world.reviewer, review=setup.review, **values
    )


def sign(payload, salt: str = svc.SALT) -> str:
    return signing.Signer(salt=salt).sign_object(payload)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def block_comment(setup: Setup, link, body: str = "Outside view", block_id=None) -> Comment:
    return svc.external_comment_add(
        link=link,
        anchor="block",
        page_uuid=setup.page.uuid,
        block_id=block_id or setup.block_id,
        body=body,
    )


# --- create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "owner", "coauthor"])
def test_reviewers_and_authors_create_a_link_and_it_is_emailed(
    acme, setup, role, django_capture_on_commit_callbacks
):
    with acme.scope(), django_capture_on_commit_callbacks(execute=True):
        link, url = create(setup, actor=setup.cast.role(role))
    with acme.scope():
        assert link.name == "Dr. Ada Expert"
        assert link.email == "ada@example.test"
        assert link.created_by == setup.cast.role(role)
        assert link.review == setup.review
        expected = timezone.now() + timedelta(days=14)
        assert abs((link.expires_at - expected).total_seconds()) < 60
        assert url.startswith("http")
        assert "acme." in url
        assert "/external-review/" in url
        assert AuditEvent.objects.filter(
            verb="review_external_link.created", target_uuid=link.uuid, actor=setup.cast.role(role)
        ).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.test"]
    assert setup.cast.course.title in message.subject
    assert url in message.body
    html = message.alternatives[0][0]
    assert url in html
    assert "Dr. Ada Expert" in html


def test_the_token_is_signed_with_the_link_and_tenant(acme, setup):
    with acme.scope():
        link, url = create(setup)
        payload = signing.Signer(salt="reviews.external-link").unsign_object(token_of(url))
        assert payload == {"l": str(link.uuid), "t": acme.tenant.pk}
        assert svc.external_link_url(link) == url  # deterministic: can be shown again


def test_learner_is_forbidden_and_another_courses_author_not_found(acme, setup):
    with acme.scope():
        with pytest.raises(Forbidden):
            create(setup, actor=acme.learner)
        with pytest.raises(NotFound):
            create(setup, actor=setup.cast.other_author)
        assert not ExternalReviewLink.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": ""}, "name", "name"),
        ({"name": "   "}, "name", "name"),
        ({"name": "x" * 121}, "name", "120"),
        ({"email": "not-an-address"}, "email", "not a valid e-mail"),
        ({"email": ""}, "email", "not a valid e-mail"),
        ({"days": 0}, "days", "1 to 60"),
        ({"days": 61}, "days", "1 to 60"),
        ({"days": "soon"}, "days", "1 to 60"),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(
    acme, setup, overrides, field, words, django_capture_on_commit_callbacks
):
    with acme.scope(), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Invalid) as caught:
            create(setup, **overrides)
        assert field in caught.value.fields
        assert words in str(caught.value.message)
        assert not ExternalReviewLink.objects.exists()
        assert not AuditEvent.objects.filter(verb="review_external_link.created").exists()
    assert mail.outbox == []


def test_several_bad_fields_are_named_together(acme, setup):
    with acme.scope():
        with pytest.raises(Invalid) as caught:
            create(setup, name="", email="nope", days=99)
        assert set(caught.value.fields) == {"name", "email", "days"}


def test_create_on_a_closed_round_is_a_conflict(acme, setup):
    with acme.scope():
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
        with pytest.raises(Conflict):
            create(setup)
        assert not ExternalReviewLink.objects.exists()


def test_at_most_twenty_active_links_per_round(acme, setup):
    with acme.scope():
        now = timezone.now()
        ExternalReviewLink.objects.bulk_create(
            ExternalReviewLink(
                tenant=acme.tenant,
                review=setup.review,
                name=f"Expert {n}",
                email=f"e{n}@example.test",
                expires_at=now + timedelta(days=3),
            )
            for n in range(svc.LINKS_ACTIVE_MAX)
        )
        with pytest.raises(Conflict):
            create(setup)
        # A withdrawn one frees a place.
        svc.external_link_revoke(actor=acme.reviewer, link=ExternalReviewLink.objects.first())
        create(setup)
        assert ExternalReviewLink.objects.count() == svc.LINKS_ACTIVE_MAX + 1


# --- resolve --------------------------------------------------------------------------------


def test_resolve_finds_the_link_and_records_its_use_once_a_minute(acme, setup):
    with acme.scope():
        link, url = create(setup)
        found = svc.external_link_resolve(token_of(url))
        assert found.pk == link.pk
        first = ExternalReviewLink.objects.get(pk=link.pk).last_used_at
        assert first is not None
        svc.external_link_resolve(token_of(url))
        assert ExternalReviewLink.objects.get(pk=link.pk).last_used_at == first
        ExternalReviewLink.objects.filter(pk=link.pk).update(
            last_used_at=timezone.now() - timedelta(minutes=2)
        )
        svc.external_link_resolve(token_of(url))
        assert ExternalReviewLink.objects.get(pk=link.pk).last_used_at > first


def test_an_expired_link_says_when_and_whom_to_ask(acme, setup):
    with acme.scope():
        link, url = create(setup)
        ExternalReviewLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(token_of(url))
        assert caught.value.status == 410
        assert "expired on" in caught.value.reason
        assert acme.reviewer.user.name in caught.value.reason
        assert ExternalReviewLink.objects.get(pk=link.pk).last_used_at is None


def test_a_withdrawn_link_says_who_withdrew_it(acme, setup):
    with acme.scope():
        link, url = create(setup)
        svc.external_link_revoke(actor=setup.cast.owner, link=link)
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(token_of(url))
        assert caught.value.status == 410
        assert "withdrawn by" in caught.value.reason
        assert setup.cast.owner.user.name in caught.value.reason


def test_a_closed_round_thanks_the_reviewer(acme, setup):
    with acme.scope():
        _link, url = create(setup)
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(token_of(url))
        assert caught.value.status == 410
        assert "has closed" in caught.value.reason


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage", "empty", "wrong_salt"])
def test_a_tampered_token_is_not_valid(acme, setup, mangle):
    with acme.scope():
        link, url = create(setup)
        token = token_of(url)
        bad = {
            "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
            "truncate": token[:-5],
            "garbage": "not-a-token",
            "empty": "",
            "wrong_salt": sign({"l": str(link.uuid), "t": acme.tenant.pk}, salt="x"),
        }[mangle]
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(bad)
        assert caught.value.status == 404
        assert caught.value.reason == "This review link is not valid."


def test_another_tenants_token_is_not_valid_on_this_host(acme, globex):
    with globex.scope():
        theirs = make_setup(globex)
        link, url = create(theirs)
    with acme.scope():
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(token_of(url))
        assert caught.value.status == 404
        # Even signed for this tenant, a link of another tenant is not found here.
        forged = sign({"l": str(link.uuid), "t": acme.tenant.pk})
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(forged)
        assert caught.value.status == 404
    with globex.scope():
        assert svc.external_link_resolve(token_of(url)).pk == link.pk
        assert ExternalReviewLink.objects.get(pk=link.pk).last_used_at is not None


def test_an_unknown_link_is_not_valid(acme, setup):
    with acme.scope():
        token = sign({"l": str(uuid.uuid4()), "t": acme.tenant.pk})
        with pytest.raises(svc.LinkUnusable) as caught:
            svc.external_link_resolve(token)
        assert caught.value.status == 404


# --- revoke ---------------------------------------------------------------------------------


def test_revoke_is_idempotent_and_audited_once(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        first = svc.external_link_revoke(actor=acme.reviewer, link=link)
        assert first.revoked_at is not None
        assert first.revoked_by == acme.reviewer
        again = svc.external_link_revoke(actor=setup.cast.owner, link=link)
        assert again.revoked_at == first.revoked_at
        assert again.revoked_by == acme.reviewer
        assert (
            AuditEvent.objects.filter(
                verb="review_external_link.revoked", target_uuid=link.uuid
            ).count()
            == 1
        )


def test_revoke_needs_the_same_role_as_create(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        with pytest.raises(Forbidden):
            svc.external_link_revoke(actor=acme.learner, link=link)
        with pytest.raises(NotFound):
            svc.external_link_revoke(actor=setup.cast.other_author, link=link)
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is None


def test_the_invitation_task_skips_a_withdrawn_link(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        svc.external_link_revoke(actor=acme.reviewer, link=link)
    external_invite_send_email(tenant_id=acme.tenant.pk, link_id=link.pk)
    assert mail.outbox == []


# --- comments -------------------------------------------------------------------------------


def test_an_external_comment_is_attributed_and_anchored_like_a_members(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        member = member_comments.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.block_id,
            body="Member view",
        )
        comment = block_comment(setup, link, body="Outside <b>view</b>")
        assert comment.author is None
        assert comment.external_link == link
        assert comment.external_name == "Dr. Ada Expert"
        assert comment.external_email == "ada@example.test"
        assert comment.body == "Outside view"  # sanitised like a member's
        for attribute in ("course_id", "review_id", "anchor", "page_uuid", "block_id"):
            assert getattr(comment, attribute) == getattr(member, attribute)
        event = AuditEvent.objects.get(verb="review_comment.added", target_uuid=comment.uuid)
        assert event.actor is None
        assert event.data["external_link"] == str(link.uuid)
        assert event.data["external_name"] == "Dr. Ada Expert"
        threads = member_comments.comments_for_review(actor=acme.reviewer, review=setup.review)
        assert {t.comment.pk for t in threads} == {member.pk, comment.pk}


def test_external_comments_on_the_course_and_a_page(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        on_course = svc.external_comment_add(link=link, anchor="course", body="Overall fine")
        on_page = svc.external_comment_add(
            link=link, anchor="page", page_uuid=setup.page.uuid, body="This page"
        )
        assert on_course.page_uuid is None
        assert on_course.block_id == ""
        assert on_page.page_uuid == setup.page.uuid
        assert on_page.block_id == ""


def test_a_block_not_in_the_pinned_revision_is_refused(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        with pytest.raises(Invalid) as caught:
            block_comment(setup, link, block_id=str(uuid.uuid4()))
        assert "block_id" in caught.value.fields
        assert "not on this page in the version under review" in str(caught.value.message)
        with pytest.raises(Invalid) as caught:
            svc.external_comment_add(link=link, anchor="page", page_uuid=uuid.uuid4(), body="x")
        assert "page_uuid" in caught.value.fields
        with pytest.raises(Invalid):
            block_comment(setup, link, body="   ")
        assert not Comment.objects.exists()


def test_an_external_reply_joins_the_thread_of_its_round(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        thread = member_comments.comment_add(
            actor=acme.reviewer, review=setup.review, anchor="course", body="Member thread"
        )
        member_reply = member_comments.comment_reply(
            actor=setup.cast.owner, comment=thread, body="Owner reply"
        )
        reply = svc.external_comment_reply(link=link, comment=member_reply, body="Agreed")
        assert reply.parent == thread
        assert reply.author is None
        assert reply.external_name == "Dr. Ada Expert"
        assert AuditEvent.objects.filter(
            verb="review_comment.replied", target_uuid=reply.uuid, actor=None
        ).exists()


def test_a_reply_to_another_courses_comment_is_not_found(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        other = make_setup(acme, tag="2")
        foreign = member_comments.comment_add(
            actor=acme.reviewer, review=other.review, anchor="course", body="Elsewhere"
        )
        before = Comment.objects.count()
        with pytest.raises(NotFound):
            svc.external_comment_reply(link=link, comment=foreign, body="Sneaky")
        with pytest.raises(NotFound):
            svc.external_comment_for_link(link=link, comment_uuid=foreign.uuid)
        assert Comment.objects.count() == before


def test_a_withdrawn_link_can_no_longer_comment_or_reply(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        thread = block_comment(setup, link)
        svc.external_link_revoke(actor=acme.reviewer, link=link)
        before = Comment.objects.count()
        # The caller still holds the link it resolved before the withdrawal.
        with pytest.raises(svc.LinkUnusable) as caught:
            block_comment(setup, link)
        assert caught.value.status == 410
        with pytest.raises(svc.LinkUnusable):
            svc.external_comment_reply(link=link, comment=thread, body="More")
        assert Comment.objects.count() == before


def test_an_expired_link_or_closed_round_can_no_longer_comment(acme, setup):
    with acme.scope():
        link, _url = create(setup)
        ExternalReviewLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        with pytest.raises(svc.LinkUnusable):
            block_comment(setup, link)
        other, _url = create(setup, name="Second Expert", email="second@example.test")
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
        with pytest.raises(svc.LinkUnusable) as caught:
            block_comment(setup, other)
        assert "has closed" in caught.value.reason
        assert not Comment.objects.exists()


def test_an_external_comment_notifies_the_course_authors(
    acme, setup, django_capture_on_commit_callbacks
):
    from reviews.models import Notification

    with acme.scope():
        link, _url = create(setup)
        with django_capture_on_commit_callbacks(execute=True):
            comment = block_comment(setup, link)
        recipients = set(
            Notification.objects.filter(comment=comment).values_list("recipient_id", flat=True)
        )
        assert setup.cast.owner.pk in recipients
        assert Notification.objects.filter(comment=comment).first().actor_name == "Dr. Ada Expert"


def test_the_invitation_is_written_in_the_tenants_language(
    acme, setup, django_capture_on_commit_callbacks
):
    from django.utils import formats, translation

    acme.tenant.default_language = "nl"
    acme.tenant.save(update_fields=["default_language"])
    with acme.scope(), django_capture_on_commit_callbacks(execute=True):
        link, _url = create(setup)
    with translation.override("nl"):
        dutch = formats.date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")
    with translation.override("en"):
        english = formats.date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")
    assert dutch != english
    assert dutch in mail.outbox[0].body
    assert english not in mail.outbox[0].body
