"""Recognition: learners rate courses (one row each, the catalog's average recomputed), who may
rate, refusals that change nothing, the authors' impact figures on a constructed set, who may
see them, and thanking a learner once (notification and e-mail)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from authoring.models import CourseAuthor
from courses import recognition
from courses.models import (
    CatalogEntry,
    Enrollment,
    EnrollmentStatus,
    PageProgress,
    Rating,
)
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from reviews.models import EmailFrequency, Notification, NotificationKind, NotificationPreference
from tests.courses.factories import publish
from tests.factories import CourseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def enrol(
    entry: CatalogEntry,
    member: Any,
    *,
    status: str = EnrollmentStatus.IN_PROGRESS,
    started: bool = True,
) -> Enrollment:
    now = timezone.now()
    return Enrollment.objects.create(
        course=entry.course,
        learner=member,
        release=entry.live_release,
        status=status,
        started_at=now if started else None,
        completed_at=now if status == EnrollmentStatus.COMPLETED else None,
    )


def entry_of(entry: CatalogEntry) -> CatalogEntry:
    return CatalogEntry.objects.get(pk=entry.pk)


# --- rating -------------------------------------------------------------------------------------


def test_rating_again_updates_the_one_row_and_the_catalog_figures(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner)
        first = recognition.rating_set(
            actor=acme.learner, course=entry.course, stars=4, feedback="Clear."
        )
        again = recognition.rating_set(
            actor=acme.learner, course=entry.course, stars="2", feedback="Too long."
        )
        assert again.pk == first.pk
        assert Rating.objects.filter(course=entry.course).count() == 1
        stored = Rating.objects.get(pk=first.pk)
        assert (stored.stars, stored.feedback) == (2, "Too long.")
        fresh = entry_of(entry)
        assert (fresh.rating_average, fresh.rating_count) == (Decimal("2.00"), 1)


def test_the_average_is_recomputed_from_every_rating(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        for member in (acme.learner, acme.reviewer, acme.admin):
            enrol(entry, member)
        recognition.rating_set(actor=acme.learner, course=entry.course, stars=5)
        recognition.rating_set(actor=acme.reviewer, course=entry.course, stars=4)
        recognition.rating_set(actor=acme.admin, course=entry.course, stars=4)
        fresh = entry_of(entry)
        assert (fresh.rating_average, fresh.rating_count) == (Decimal("4.33"), 3)
        recognition.rating_set(actor=acme.learner, course=entry.course, stars=1)
        fresh = entry_of(entry)
        assert (fresh.rating_average, fresh.rating_count) == (Decimal("3.00"), 3)


def test_a_learner_who_saw_one_page_may_rate_before_completing(acme):
    with acme.scope():
        entry = publish(acme)
        enrollment = enrol(entry, acme.learner, status=EnrollmentStatus.ENROLLED, started=False)
        PageProgress.objects.create(enrollment=enrollment, page_id="p1")
        rating = recognition.rating_set(actor=acme.learner, course=entry.course, stars=3)
        assert rating.stars == 3


@pytest.mark.parametrize("case", ["not_enrolled", "not_started", "author"])
def test_who_may_not_rate_is_refused_with_403_and_nothing_changes(acme, case):
    with acme.scope():
        entry = publish(acme)
        actor = acme.learner
        if case == "not_started":
            enrol(entry, acme.learner, status=EnrollmentStatus.ENROLLED, started=False)
        if case == "author":
            actor = acme.author
            enrol(entry, acme.author)
        with pytest.raises(Forbidden) as refused:
            recognition.rating_set(actor=actor, course=entry.course, stars=5)
        assert str(refused.value)
        assert not Rating.objects.exists()
        assert entry_of(entry).rating_count == 0
        state = recognition.rating_state(actor=actor, course=entry.course)
        assert not state.can_rate
        assert state.refusal


def test_a_course_outside_the_catalog_or_tenant_cannot_be_rated(acme, globex):
    with acme.scope():
        draft = CourseFactory(owner=acme.author)
        with pytest.raises(NotFound):
            recognition.rating_set(actor=acme.learner, course=draft, stars=5)
    with globex.scope():
        theirs = publish(globex)
        enrol(theirs, globex.learner)
    with acme.scope(), pytest.raises(NotFound):
        recognition.rating_set(actor=acme.learner, course=theirs.course, stars=5)
    with globex.scope():
        assert not Rating.objects.exists()


@pytest.mark.parametrize("stars", [0, 6, "x", "", None, True, 4.5, "3.5"])
def test_stars_outside_one_to_five_are_refused_and_nothing_changes(acme, stars):
    with acme.scope():
        entry = publish(acme)
        enrol(entry, acme.learner)
        kept = recognition.rating_set(actor=acme.learner, course=entry.course, stars=4)
        with pytest.raises(Invalid) as refused:
            recognition.rating_set(
                actor=acme.learner, course=entry.course, stars=stars, feedback="changed"
            )
        assert "1 to 5" in str(refused.value.message)
        assert refused.value.fields["stars"]
        stored = Rating.objects.get()
        assert (stored.stars, stored.feedback, stored.updated_at) == (4, "", kept.updated_at)
        assert entry_of(entry).rating_average == Decimal("4.00")


def test_feedback_is_plain_text_and_limited(acme):
    with acme.scope():
        entry = publish(acme)
        enrol(entry, acme.learner)
        rating = recognition.rating_set(
            actor=acme.learner,
            course=entry.course,
            stars=5,
            feedback="<script>alert(1)</script><b>Great</b> course\u202e &lt;3\n\n\n\nThanks",
        )
        assert Rating.objects.get(pk=rating.pk).feedback == "Great course &lt;3\n\nThanks"
        with pytest.raises(Invalid) as refused:
            recognition.rating_set(
                actor=acme.learner,
                course=entry.course,
                stars=1,
                feedback="x" * (recognition.FEEDBACK_MAX + 1),
            )
        assert refused.value.fields["feedback"]
        assert Rating.objects.get(pk=rating.pk).stars == 5


# --- impact -------------------------------------------------------------------------------------


def constructed(world: Any) -> dict[str, Any]:
    """Course A (owned by the author): 4 learners — 1 not started, 1 in progress, 2 completed;
    ratings 5 (with feedback) and 4. Course B (co-authored): 2 learners, 1 completed, rated 2.
    Course C (another author's): 3 learners, rated 1 — never in the author's figures."""
    other = MembershipFactory(roles=["author"])
    learners = [MembershipFactory(roles=[]) for _ in range(5)]
    a = publish(world, title="A course")
    enrol(a, learners[0], status=EnrollmentStatus.ENROLLED, started=False)
    enrol(a, learners[1])
    enrol(a, learners[2], status=EnrollmentStatus.COMPLETED)
    enrol(a, learners[3], status=EnrollmentStatus.COMPLETED)
    recognition.rating_set(actor=learners[2], course=a.course, stars=5, feedback="Loved it")
    recognition.rating_set(actor=learners[1], course=a.course, stars=4)
    b = publish(world, title="B course")
    b.course.owner = other
    b.course.save(update_fields=["owner"])
    CourseAuthor.objects.create(course=b.course, membership=world.author)
    enrol(b, learners[0], status=EnrollmentStatus.COMPLETED)
    enrol(b, learners[4])
    recognition.rating_set(actor=learners[4], course=b.course, stars=2, feedback="Hard")
    c = publish(world, title="C course")
    c.course.owner = other
    c.course.save(update_fields=["owner"])
    for learner in learners[:3]:
        enrol(c, learner)
    recognition.rating_set(actor=learners[0], course=c.course, stars=1)
    return {"a": a, "b": b, "c": c, "other": other, "learners": learners}


def test_course_impact_figures_are_exact(acme):
    with acme.scope():
        data = constructed(acme)
        figures = recognition.course_impact(actor=acme.author, course=data["a"].course)
        assert (figures.learners, figures.started, figures.completed) == (4, 3, 2)
        assert figures.completion_rate == 50
        assert (figures.rating_average, figures.rating_count) == (Decimal("4.50"), 2)
        assert (figures.feedback_count, figures.unthanked) == (1, 2)
        assert figures.distribution == [(5, 1, 50), (4, 1, 50), (3, 0, 0), (2, 0, 0), (1, 0, 0)]
        feedback = list(recognition.course_feedback(actor=acme.author, course=data["a"].course))
        assert [r.stars for r in feedback] == [4, 5]  # newest first


def test_my_impact_covers_owned_and_coauthored_courses_only(acme):
    with acme.scope():
        constructed(acme)
        overview = recognition.my_impact(actor=acme.author)
        assert [row.course.title for row in overview.rows] == ["A course", "B course"]
        a, b = overview.rows
        assert (a.learners, a.started, a.completed, a.completion_rate) == (4, 3, 2, 50)
        assert (b.learners, b.started, b.completed, b.completion_rate) == (2, 2, 1, 50)
        assert (a.rating_average, b.rating_average) == (Decimal("4.50"), Decimal("2.00"))
        assert (overview.learners, overview.started, overview.completed) == (6, 5, 3)
        assert overview.completion_rate == 50
        assert (overview.rating_average, overview.rating_count) == (Decimal("3.67"), 3)
        assert overview.unthanked == 3


def test_impact_is_for_the_courses_authors_and_reviewers(acme):
    with acme.scope():
        data = constructed(acme)
        with pytest.raises(NotFound):
            recognition.course_for_impact(actor=acme.author, course_uuid=data["c"].course.uuid)
        with pytest.raises(NotFound):
            recognition.course_impact(actor=acme.author, course=data["c"].course)
        with pytest.raises(Forbidden):
            recognition.course_for_impact(actor=acme.learner, course_uuid=data["a"].course.uuid)
        with pytest.raises(Forbidden):
            recognition.my_impact(actor=acme.learner)
        figures = recognition.course_impact(actor=acme.reviewer, course=data["c"].course)
        assert (figures.learners, figures.rating_count) == (3, 1)


# --- thanks -------------------------------------------------------------------------------------


def rated(world: Any) -> tuple[CatalogEntry, Rating]:
    entry = publish(world, title="Ladders")
    enrol(entry, world.learner)
    return entry, recognition.rating_set(
        actor=world.learner, course=entry.course, stars=5, feedback="Useful"
    )


def test_thanking_once_notifies_the_learner_in_app_and_by_email(
    acme, django_capture_on_commit_callbacks
):
    with acme.scope():
        _entry, rating = rated(acme)
        with django_capture_on_commit_callbacks(execute=True):
            found = recognition.rating_for_thanks(actor=acme.author, rating_uuid=rating.uuid)
            thanked = recognition.rating_thank(
                actor=acme.author, rating=found, message="Thank you <b>so</b> much!"
            )
        stored = Rating.objects.get(pk=rating.pk)
        assert stored.thanked_at == thanked.thanked_at is not None
        assert stored.thanked_by == acme.author
        assert stored.thanks_message == "Thank you so much!"
        notification = Notification.objects.get()
        assert notification.recipient == acme.learner
        assert notification.kind == NotificationKind.THANKS
        assert notification.actor_name == acme.author.user.name
        assert notification.data["course_title"] == "Ladders"
        assert notification.data["excerpt"] == "Thank you so much!"
    assert [m.to for m in mail.outbox] == [[acme.learner.user.email]]
    message = mail.outbox[0]
    assert "Ladders" in message.subject
    assert "Thank you so much!" in message.body
    assert "Thank you so much!" in message.alternatives[0][0]


def test_thanks_follow_the_learners_email_preference(acme, django_capture_on_commit_callbacks):
    with acme.scope():
        _entry, rating = rated(acme)
        NotificationPreference.objects.create(
            membership=acme.learner, email_frequency=EmailFrequency.OFF
        )
        with django_capture_on_commit_callbacks(execute=True):
            recognition.rating_thank(actor=acme.reviewer, rating=rating)
        assert Notification.objects.filter(recipient=acme.learner).count() == 1
    assert mail.outbox == []


def test_a_second_thank_you_is_a_conflict_and_changes_nothing(
    acme, django_capture_on_commit_callbacks
):
    with acme.scope():
        _entry, rating = rated(acme)
        with django_capture_on_commit_callbacks(execute=True):
            recognition.rating_thank(actor=acme.author, rating=rating, message="First")
        before = Rating.objects.get(pk=rating.pk)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
            recognition.rating_thank(actor=acme.reviewer, rating=rating, message="Second")
        after = Rating.objects.get(pk=rating.pk)
        assert (after.thanked_at, after.thanked_by_id, after.thanks_message) == (
            before.thanked_at,
            before.thanked_by_id,
            "First",
        )
        assert Notification.objects.count() == 1


def test_learners_and_other_authors_cannot_thank(acme, globex):
    with acme.scope():
        _entry, rating = rated(acme)
        other = MembershipFactory(roles=["author"])
        with pytest.raises(Forbidden):
            recognition.rating_for_thanks(actor=acme.learner, rating_uuid=rating.uuid)
        with pytest.raises(Forbidden):
            recognition.rating_thank(actor=acme.learner, rating=rating)
        with pytest.raises(NotFound):
            recognition.rating_for_thanks(actor=other, rating_uuid=rating.uuid)
        with pytest.raises(NotFound):
            recognition.rating_thank(actor=other, rating=rating)
        assert Rating.objects.get(pk=rating.pk).thanked_at is None
    with globex.scope(), pytest.raises(NotFound):
        recognition.rating_for_thanks(actor=globex.admin, rating_uuid=rating.uuid)


def test_a_thank_you_note_that_is_too_long_is_refused(acme):
    with acme.scope():
        _entry, rating = rated(acme)
        with pytest.raises(Invalid) as refused:
            recognition.rating_thank(
                actor=acme.author, rating=rating, message="x" * (recognition.THANKS_MAX + 1)
            )
        assert refused.value.fields["message"]
        assert Rating.objects.get(pk=rating.pk).thanked_at is None
        assert not Notification.objects.exists()
