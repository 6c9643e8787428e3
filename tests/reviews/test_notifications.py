"""Review notifications through the services: who is told of what, what a refused action
leaves (nothing), e-mail preferences, the daily digest and the reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from authoring.models import CourseAuthor
from egl_platform.celery import app as celery_app
from egl_platform.errors import Conflict, Forbidden
from reviews import comments as comment_svc
from reviews import notifications, services, tasks
from reviews.models import (
    CategoryReviewer,
    Comment,
    EmailFrequency,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReviewCategory,
    ReviewRequest,
)
from tenants.models import MembershipStatus, Tenant
from tests.factories import MembershipFactory
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_raise():
    """Eager tasks raise here instead of failing quietly, so a broken task fails its test."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_eager_propagates = previous


def kinds_by_email(**filters) -> dict[str, set[str]]:
    """{recipient e-mail: {kinds}} of the active tenant's notifications."""
    found: dict[str, set[str]] = {}
    for email, kind in Notification.objects.filter(**filters).values_list(
        "recipient__user__email", "kind"
    ):
        found.setdefault(email, set()).add(kind)
    return found


def recipients(**filters) -> set[str]:
    return set(kinds_by_email(**filters))


@pytest.fixture
def cast(acme):
    with acme.scope():
        services.categories_ensure_defaults()
        return make_cast(acme)


def submit(cast, commit, **kwargs) -> ReviewRequest:
    with commit(execute=True):
        review = services.review_submit(actor=cast.owner, course=cast.reload(), **kwargs)
    return ReviewRequest.objects.select_related("course", "revision").get(pk=review.pk)


# --- review requested -----------------------------------------------------------------------------


def test_a_submission_without_picked_reviewers_tells_every_reviewer_but_no_author(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        found = kinds_by_email(kind=NotificationKind.REVIEW_REQUESTED)
        assert set(found) == {acme.reviewer.user.email, acme.admin.user.email}
        row = Notification.objects.get(recipient=acme.reviewer)
        assert row.review == review
        assert row.course == cast.course
        assert row.actor_name == cast.owner.user.name
        assert row.url == f"/reviews/{review.uuid}/"
        assert row.data["course_title"] == cast.course.title
        assert row.read_at is None


def test_picked_reviewers_alone_are_told(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        submit(cast, django_capture_on_commit_callbacks, reviewers=[acme.reviewer])
        assert recipients() == {acme.reviewer.user.email}


def test_without_picks_the_category_pool_is_told(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        pooled = MembershipFactory(roles=["reviewer"], user__email="pooled@acme.test")
        CategoryReviewer.objects.create(
            category=ReviewCategory.objects.get(slug="compliance"), membership=pooled
        )
        submit(cast, django_capture_on_commit_callbacks)
        assert recipients() == {"pooled@acme.test"}


def test_a_reviewer_who_co_authors_the_course_is_not_told_of_its_review(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        CourseAuthor.objects.create(course=cast.course, membership=acme.admin)
        submit(cast, django_capture_on_commit_callbacks)
        assert recipients() == {acme.reviewer.user.email}


def test_deactivated_members_are_skipped(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        acme.admin.status = MembershipStatus.DEACTIVATED
        acme.admin.save(update_fields=["status"])
        submit(cast, django_capture_on_commit_callbacks)
        assert recipients() == {acme.reviewer.user.email}


# --- comments ---------------------------------------------------------------------------------------


def add_comment(review, actor, commit, body="Please fix the intro"):
    with commit(execute=True):
        return comment_svc.comment_add(actor=actor, review=review, anchor="course", body=body)


def test_a_comment_tells_authors_and_requested_reviewers_but_not_its_writer(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = submit(
            cast, django_capture_on_commit_callbacks, reviewers=[acme.reviewer, acme.admin]
        )
        Notification.objects.all().delete()
        comment = add_comment(review, acme.reviewer, django_capture_on_commit_callbacks)
        found = kinds_by_email()
        assert found == {
            cast.owner.user.email: {NotificationKind.COMMENT},
            cast.coauthor.user.email: {NotificationKind.COMMENT},
            acme.admin.user.email: {NotificationKind.COMMENT},
        }
        to_owner = Notification.objects.get(recipient=cast.owner)
        assert to_owner.comment == comment
        assert to_owner.url == f"/courses/{cast.course.uuid}/"
        assert to_owner.data["excerpt"] == "Please fix the intro"
        assert Notification.objects.get(recipient=acme.admin).url == f"/reviews/{review.uuid}/"


def test_a_reply_tells_the_threads_participants(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        comment = add_comment(review, acme.reviewer, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            comment_svc.comment_reply(actor=acme.admin, comment=comment, body="Agreed")
        assert recipients() == {
            acme.reviewer.user.email,  # took part in the thread
            cast.owner.user.email,
            cast.coauthor.user.email,
        }
        assert acme.admin.user.email not in recipients()


def test_mentioned_people_get_a_mention_instead(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()
        body = f"@{acme.reviewer.user.email} and @{acme.learner.user.email}: please check"
        add_comment(review, cast.owner, django_capture_on_commit_callbacks, body=body)
        found = kinds_by_email()
        assert found[acme.reviewer.user.email] == {NotificationKind.MENTION}
        assert found[cast.coauthor.user.email] == {NotificationKind.COMMENT}
        # A learner takes no part in reviews: a mention tells them nothing about the course.
        assert acme.learner.user.email not in found
        assert cast.owner.user.email not in found


def test_an_external_reviewers_comment_is_attributed_to_their_name(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()
        comment = Comment.objects.create(
            course=cast.course,
            review=review,
            anchor="course",
            body="From outside",
            external_name="Dr. Outside",
            external_email="outside@example.test",
        )
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify_comment(comment)
        rows = list(Notification.objects.all())
        assert {n.recipient_id for n in rows} == {cast.owner.pk, cast.coauthor.pk}
        assert {n.actor_name for n in rows} == {"Dr. Outside"}
        assert all(n.data["external"] for n in rows)


# --- decisions ----------------------------------------------------------------------------------------


def test_a_decision_tells_the_authors_and_the_submitter(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        with django_capture_on_commit_callbacks(execute=True):
            review = services.review_submit(actor=cast.coauthor, course=cast.reload())
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            services.review_request_changes(
                actor=acme.reviewer,
                review=review,
                revision_number=review.revision.number,
                note="Shorter, please",
            )
        rows = list(Notification.objects.select_related("recipient__user"))
        assert {n.recipient_id for n in rows} == {cast.owner.pk, cast.coauthor.pk}
        assert {n.kind for n in rows} == {NotificationKind.DECISION}
        assert {n.data["decision"] for n in rows} == {"request_changes"}
        assert {n.url for n in rows} == {f"/courses/{cast.course.uuid}/"}
        assert rows[0].data["excerpt"] == "Shorter, please"
        assert "requested changes" in notifications.notification_summary(rows[0])


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_approvals_and_rejections_are_told_too(
    acme, cast, django_capture_on_commit_callbacks, decision
):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            if decision == "approve":
                services.review_approve(
                    actor=acme.reviewer, review=review, revision_number=review.revision.number
                )
            else:
                services.review_reject(
                    actor=acme.reviewer,
                    review=review,
                    revision_number=review.revision.number,
                    reason="Out of scope",
                )
        rows = list(Notification.objects.all())
        assert {n.recipient_id for n in rows} == {cast.owner.pk, cast.coauthor.pk}
        assert {n.data["decision"] for n in rows} == {decision}


def test_a_refused_action_tells_nobody(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(Conflict):
                services.review_approve(
                    actor=acme.reviewer, review=review, revision_number=review.revision.number + 5
                )
            with pytest.raises(Forbidden):
                services.review_reject(
                    actor=cast.owner,
                    review=review,
                    revision_number=review.revision.number,
                    reason="Mine",
                )
            with pytest.raises(Conflict):  # already in review
                services.review_submit(actor=cast.owner, course=cast.reload())
        assert callbacks == []
        assert not Notification.objects.exists()


def test_an_action_rolled_back_after_the_service_tells_nobody(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        Notification.objects.all().delete()

        def approve_then_fail():
            with transaction.atomic():
                services.review_approve(
                    actor=acme.reviewer, review=review, revision_number=review.revision.number
                )
                raise RuntimeError("the caller's transaction fails after the service")

        def comment_then_fail():
            with transaction.atomic():
                comment_svc.comment_add(
                    actor=acme.reviewer, review=review, anchor="course", body="Lost"
                )
                raise RuntimeError("and again")

        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError):
                approve_then_fail()
            review.refresh_from_db()  # open again: the approval was rolled back
            with pytest.raises(RuntimeError):
                comment_then_fail()
        assert not Notification.objects.exists()


# --- preferences -------------------------------------------------------------------------------------


def prefer(member, frequency):
    NotificationPreference.objects.update_or_create(
        membership=member, defaults={"email_frequency": frequency}
    )


def test_immediately_daily_and_off(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        prefer(acme.admin, EmailFrequency.DAILY)
        learner_reviewer = MembershipFactory(roles=["reviewer"], user__email="quiet@acme.test")
        prefer(learner_reviewer, EmailFrequency.OFF)
        mail.outbox.clear()
        submit(cast, django_capture_on_commit_callbacks)
        # Everyone's inbox gets it; only the immediate one is e-mailed now.
        assert recipients() == {
            acme.reviewer.user.email,
            acme.admin.user.email,
            "quiet@acme.test",
        }
        assert [m.to for m in mail.outbox] == [[acme.reviewer.user.email]]
        assert Notification.objects.get(recipient=acme.reviewer).emailed_at is not None
        assert Notification.objects.get(recipient=acme.admin).emailed_at is None
        assert Notification.objects.get(recipient=learner_reviewer).emailed_at is None

    mail.outbox.clear()
    tasks.digests_send.delay()
    assert [m.to for m in mail.outbox] == [[acme.admin.user.email]]
    digest = mail.outbox[0]
    assert cast.course.title in digest.body
    assert "/inbox/preferences/" in digest.body
    with acme.scope():
        assert Notification.objects.get(recipient=acme.admin).emailed_at is not None
        assert Notification.objects.get(recipient=learner_reviewer).emailed_at is None

    mail.outbox.clear()
    tasks.digests_send.delay()  # nothing new: no second digest
    assert mail.outbox == []


def test_a_notification_is_emailed_once(acme, cast, django_capture_on_commit_callbacks):
    with acme.scope():
        submit(cast, django_capture_on_commit_callbacks, reviewers=[acme.reviewer])
        row = Notification.objects.get(recipient=acme.reviewer)
    assert len(mail.outbox) == 1
    assert tasks.notification_send_email(tenant_id=acme.tenant.pk, notification_id=row.pk) is False
    tasks.notification_send_email.delay(tenant_id=acme.tenant.pk, notification_id=row.pk)
    assert len(mail.outbox) == 1


def test_switching_to_a_digest_before_the_email_goes_keeps_it_for_the_digest(acme, cast):
    with acme.scope():
        review = services.review_submit(actor=cast.owner, course=cast.reload())
        created = notifications.notify_review_requested(review)  # rows, e-mail not sent yet
        prefer(acme.reviewer, EmailFrequency.DAILY)
        row = next(n for n in created if n.recipient_id == acme.reviewer.pk)
    assert tasks.notification_send_email(tenant_id=acme.tenant.pk, notification_id=row.pk) is False
    with acme.scope():
        row.refresh_from_db()
        assert row.emailed_at is None


def test_digests_go_out_per_tenant(acme, globex, django_capture_on_commit_callbacks):
    for world in (acme, globex):
        with world.scope():
            services.categories_ensure_defaults()
            cast = make_cast(world)
            prefer(world.reviewer, EmailFrequency.DAILY)
            submit(cast, django_capture_on_commit_callbacks, reviewers=[world.reviewer])
    mail.outbox.clear()
    tasks.digests_send.delay()
    assert sorted(m.to[0] for m in mail.outbox) == [
        acme.reviewer.user.email,
        globex.reviewer.user.email,
    ]
    acme_digest = next(m for m in mail.outbox if m.to == [acme.reviewer.user.email])
    assert "acme." in acme_digest.body
    assert "globex" not in acme_digest.body.lower()


# --- reminders -----------------------------------------------------------------------------------------


def age(review, days, *, reminded_days=None):
    now = timezone.now()
    ReviewRequest.objects.filter(pk=review.pk).update(
        created_at=now - timedelta(days=days),
        reminded_at=None if reminded_days is None else now - timedelta(days=reminded_days),
    )


def reminders_of(member) -> int:
    return Notification.objects.filter(recipient=member, kind=NotificationKind.REMINDER).count()


def test_reminders_follow_the_tenant_setting_and_do_not_repeat_within_it(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        age(review, 2)
    tasks.reminders_send.delay()
    with acme.scope():
        assert reminders_of(acme.reviewer) == 0  # waited 2 days, the setting is 3

        age(review, 4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reminders_send.delay()
    with acme.scope():
        assert reminders_of(acme.reviewer) == 1
        assert reminders_of(acme.admin) == 1
        assert reminders_of(cast.owner) == 0
        reminder = Notification.objects.get(recipient=acme.reviewer, kind=NotificationKind.REMINDER)
        assert reminder.url == f"/reviews/{review.uuid}/"
        review.refresh_from_db()
        assert review.reminded_at is not None
    assert {m.to[0] for m in mail.outbox} == {acme.reviewer.user.email, acme.admin.user.email}

    tasks.reminders_send.delay()  # within the period: no second reminder
    with acme.scope():
        assert reminders_of(acme.reviewer) == 1
        age(review, 8, reminded_days=4)  # the period has passed since the last reminder
    tasks.reminders_send.delay()
    with acme.scope():
        assert reminders_of(acme.reviewer) == 2


def test_no_reminders_when_the_tenant_turned_them_off(
    acme, cast, django_capture_on_commit_callbacks
):
    Tenant.objects.filter(pk=acme.tenant.pk).update(review_reminder_days=0)
    with acme.scope():
        review = submit(cast, django_capture_on_commit_callbacks)
        age(review, 30)
    tasks.reminders_send.delay()
    assert tasks.reminders_send_tenant(tenant_id=acme.tenant.pk) == 0
    with acme.scope():
        assert not Notification.objects.filter(kind=NotificationKind.REMINDER).exists()
        review.refresh_from_db()
        assert review.reminded_at is None


def test_closed_rounds_and_reviewers_who_decided_are_not_reminded(
    acme, cast, django_capture_on_commit_callbacks
):
    with acme.scope():
        ReviewCategory.objects.filter(slug="compliance").update(approvals_needed=2)
        review = submit(cast, django_capture_on_commit_callbacks)
        services.review_approve(
            actor=acme.reviewer, review=review, revision_number=review.revision.number
        )
        age(review, 4)
    tasks.reminders_send.delay()
    with acme.scope():
        assert reminders_of(acme.reviewer) == 0  # approved already
        assert reminders_of(acme.admin) == 1
        services.review_approve(
            actor=acme.admin, review=review, revision_number=review.revision.number
        )
        age(review, 10, reminded_days=5)
    tasks.reminders_send.delay()
    with acme.scope():
        assert reminders_of(acme.admin) == 1  # the round is closed
