"""Due-date reminders: once per period for enrolments due within three days or overdue, never
for completed ones, respecting the e-mail preference, in the recipient's language, per tenant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from courses import tasks_enrolments as tasks
from courses.enrolments import assign
from courses.models import Enrollment, EnrollmentStatus
from reviews.models import EmailFrequency, NotificationPreference
from tenants.models import Tenant, User
from tests.courses.factories import publish

pytestmark = pytest.mark.django_db


def assigned(world, title, *, due_in_days, learner=None):
    """Inside world.scope(): a course assigned to the learner, due in `due_in_days`."""
    learner = learner or world.learner
    entry = publish(world, title=title)
    assign(
        actor=world.reviewer,
        course=entry.course,
        members=[learner],
        due_at=timezone.now() + timedelta(days=1),
    )
    Enrollment.objects.filter(course=entry.course, learner=learner).update(
        due_at=timezone.now() + timedelta(days=due_in_days)
    )
    return Enrollment.objects.get(course=entry.course, learner=learner)


def run(world) -> int:
    return tasks.due_reminders_send_tenant(tenant_id=world.tenant.pk)


def test_due_soon_and_overdue_are_reminded_once_per_period(acme):
    with acme.scope():
        soon_uuid = assigned(acme, "Due soon", due_in_days=2).course.uuid
        late = assigned(acme, "Overdue one", due_in_days=-1)
        assigned(acme, "Far away", due_in_days=10)
        done = assigned(acme, "Done already", due_in_days=1)
        Enrollment.objects.filter(pk=done.pk).update(status=EnrollmentStatus.COMPLETED)
    mail.outbox.clear()
    assert run(acme) == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0] == "Overdue: Overdue one"
    assert subjects[1].startswith("Reminder: Due soon is due on")
    assert all(m.to == [acme.learner.user.email] for m in mail.outbox)
    message = next(m for m in mail.outbox if "Due soon" in m.subject)
    assert f"/catalog/{soon_uuid}/" in message.body or "/learn/" in message.body
    assert "/my-learning/" in message.body
    assert message.alternatives
    assert "Due soon" in message.alternatives[0][0]

    mail.outbox.clear()
    assert run(acme) == 0  # reminded just now
    assert mail.outbox == []

    with acme.scope():
        Enrollment.objects.filter(pk=late.pk).update(reminded_at=timezone.now() - timedelta(days=4))
    assert run(acme) == 1  # the period passed for this one only
    assert [m.subject for m in mail.outbox] == ["Overdue: Overdue one"]


def test_preference_off_sends_nothing_daily_is_fine(acme):
    with acme.scope():
        quiet = assigned(acme, "Quiet", due_in_days=1)
        NotificationPreference.objects.create(
            membership=acme.learner, email_frequency=EmailFrequency.OFF
        )
        daily = assigned(acme, "Daily", due_in_days=1, learner=acme.author)
        NotificationPreference.objects.create(
            membership=acme.author, email_frequency=EmailFrequency.DAILY
        )
    mail.outbox.clear()
    assert run(acme) == 1
    assert [m.to for m in mail.outbox] == [[acme.author.user.email]]
    with acme.scope():
        quiet.refresh_from_db()
        daily.refresh_from_db()
        assert quiet.reminded_at is None
        assert daily.reminded_at is not None


def test_reminders_are_in_the_recipients_language(acme):
    User.objects.filter(pk=acme.learner.user_id).update(language="nl")
    Tenant.objects.filter(pk=acme.tenant.pk).update(default_language="nl")
    with acme.scope():
        assigned(acme, "Dutch learner", due_in_days=1)
        assigned(acme, "Tenant default", due_in_days=1, learner=acme.author)
    User.objects.filter(pk=acme.author.user_id).update(language="")
    User.objects.filter(pk=acme.reviewer.user_id).update(language="en")
    with acme.scope():
        assigned(acme, "English reviewer", due_in_days=1, learner=acme.reviewer)
    mail.outbox.clear()
    assert run(acme) == 3
    languages = {m.to[0]: m.extra_headers["Content-Language"] for m in mail.outbox}
    assert languages == {
        acme.learner.user.email: "nl",
        acme.author.user.email: "nl",
        acme.reviewer.user.email: "en",
    }


def test_the_beat_task_fans_out_per_tenant(acme, globex):
    with acme.scope():
        acme_enrolment = assigned(acme, "Acme course", due_in_days=1)
    with globex.scope():
        globex_enrolment = assigned(globex, "Globex course", due_in_days=1)
    mail.outbox.clear()
    assert run(globex) == 1
    assert [m.to for m in mail.outbox] == [[globex.learner.user.email]]
    with acme.scope():
        acme_enrolment.refresh_from_db()
        assert acme_enrolment.reminded_at is None
    assert tasks.due_reminders_send.delay().get() >= 2
    with acme.scope():
        acme_enrolment.refresh_from_db()
        assert acme_enrolment.reminded_at is not None
    with globex.scope():
        globex_enrolment.refresh_from_db()
    assert sorted(m.subject for m in mail.outbox)[0].startswith("Reminder: Acme course")
