"""Notification e-mail through a real SMTP server (aiosmtpd): recipient, subject, plain and
HTML bodies with absolute links, in the recipient's language, and once only.

The Dutch catalogue is filled at integration: the Dutch expectations are computed from it
with gettext under translation.override("nl"), so they hold now (untranslated: English) and
assert the Dutch text once it is translated. Content-Language says which language was chosen.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from egl_platform.celery import app as celery_app
from reviews import services, tasks
from reviews.models import EmailFrequency, Notification, NotificationPreference
from tenants.hosts import tenant_url
from tenants.models import Tenant, User
from tests.reviews.helpers import make_cast
from tests.reviews.smtp_server import (  # the fixture is used by name
    free_port,
    smtp_mailers,
    smtp_server_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_raise():
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def cast(acme):
    """The reviewer reads English (their own choice); the admin reads the tenant's default,
    Dutch."""
    Tenant.objects.filter(pk=acme.tenant.pk).update(default_language="nl", languages=["en", "nl"])
    User.objects.filter(pk=acme.reviewer.user_id).update(language="en")
    User.objects.filter(pk=acme.admin.user_id).update(language="")
    with acme.scope():
        services.categories_ensure_defaults()
        return make_cast(acme)


def in_language(language, text, **values):
    with translation.override(language):
        return gettext(text) % values


def test_review_requested_reaches_each_reviewer_in_their_language(
    acme, cast, smtp_server, django_capture_on_commit_callbacks
):
    with acme.scope(), django_capture_on_commit_callbacks(execute=True):
        review = services.review_submit(actor=cast.owner, course=cast.reload(), message="Hi!")

    title = cast.course.title
    owner_name = cast.owner.user.name
    review_link = tenant_url(acme.tenant, f"/reviews/{review.uuid}/")
    preferences_link = tenant_url(acme.tenant, reverse("inbox:preferences"))
    assert sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos) == sorted(
        [acme.reviewer.user.email, acme.admin.user.email]
    )

    (english,) = smtp_server.to(acme.reviewer.user.email)
    assert english.message["To"] == acme.reviewer.user.email
    assert english.message["Content-Language"] == "en"
    assert english.subject == f"Review requested: {title}"
    assert f"{owner_name} asked you to review “{title}”." in english.text
    assert "Open the review:" in english.text
    assert review_link in english.text
    assert "Hi!" in english.text
    assert preferences_link in english.text
    assert f'href="{review_link}"' in english.html
    assert f'href="{preferences_link}"' in english.html
    assert '<html lang="en">' in english.html

    (dutch,) = smtp_server.to(acme.admin.user.email)
    assert dutch.message["Content-Language"] == "nl"
    assert dutch.subject == in_language("nl", "Review requested: %(course)s", course=title)
    assert (
        in_language(
            "nl", "%(actor)s asked you to review “%(course)s”.", actor=owner_name, course=title
        )
        in dutch.text
    )
    assert in_language("nl", "Open the review:") in dutch.text
    assert review_link in dutch.text
    assert preferences_link in dutch.text
    assert '<html lang="nl">' in dutch.html
    if in_language("nl", "Open the review:") != "Open the review:":  # once translated
        assert "Open the review:" not in dutch.text

    with acme.scope():
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_decision_email_tells_the_author_what_to_do(
    acme, cast, smtp_server, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = services.review_submit(actor=cast.owner, course=cast.reload())
        smtp_server.messages.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.review_request_changes(
                actor=acme.reviewer,
                review=review,
                revision_number=review.revision.number,
                note="Add a summary",
            )
    # The owner has no language of their own: the tenant's default, Dutch, applies.
    (to_owner,) = smtp_server.to(cast.owner.user.email)
    assert to_owner.subject == in_language(
        "nl", "Changes requested: %(course)s", course=cast.course.title
    )
    assert to_owner.subject != f"Changes requested: {cast.course.title}"
    assert "Add a summary" in to_owner.text
    assert in_language("nl", "Make the changes and submit the course for review again.") in (
        to_owner.text
    )
    assert tenant_url(acme.tenant, f"/courses/{cast.course.uuid}/") in to_owner.text
    assert len(smtp_server.to(cast.coauthor.user.email)) == 1
    assert smtp_server.to(acme.reviewer.user.email) == []


def test_the_daily_digest_goes_out_once_in_the_readers_language(
    acme, cast, smtp_server, django_capture_on_commit_callbacks
):
    with acme.scope():
        NotificationPreference.objects.create(
            membership=acme.admin, email_frequency=EmailFrequency.DAILY
        )
        with django_capture_on_commit_callbacks(execute=True):
            review = services.review_submit(actor=cast.owner, course=cast.reload())
        services.review_approve(
            actor=acme.reviewer, review=review, revision_number=review.revision.number
        )
        services.review_submit(actor=cast.owner, course=cast.reload())
        smtp_server.messages.clear()
        # A second round later: the admin now has two notifications waiting for the digest.
        from reviews.notifications import notify_review_requested

        notify_review_requested(cast.latest_review())
        assert Notification.objects.filter(recipient=acme.admin, emailed_at=None).count() == 2

    tasks.digests_send.delay()
    (digest,) = smtp_server.messages
    assert digest.rcpt_tos == [acme.admin.user.email]
    assert digest.message["Content-Language"] == "nl"
    with translation.override("nl"):
        expected = ngettext(
            "Your daily digest: %(counter)s notification",
            "Your daily digest: %(counter)s notifications",
            2,
        ) % {"counter": 2}
    assert digest.subject == expected
    assert digest.text.count(cast.course.title) == 2
    assert tenant_url(acme.tenant, reverse("inbox:preferences")) in digest.text

    tasks.digests_send.delay()
    assert len(smtp_server.messages) == 1  # e-mailed once


def test_a_failed_send_is_retried_and_then_sent_once(
    acme, cast, settings, django_capture_on_commit_callbacks
):
    with acme.scope():
        review = services.review_submit(
            actor=cast.owner, course=cast.reload(), reviewers=[acme.reviewer]
        )
        from reviews.notifications import notify_review_requested

        (row,) = notify_review_requested(review)

    settings.MAILERS = smtp_mailers(free_port())  # nobody listens there
    with pytest.raises(ConnectionRefusedError):
        tasks.notification_send_email(tenant_id=acme.tenant.pk, notification_id=row.pk)
    with acme.scope():
        row.refresh_from_db()
        assert row.emailed_at is None  # the claim was given back

    from aiosmtpd.controller import Controller

    from tests.reviews.smtp_server import Sink

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.MAILERS = smtp_mailers(controller.port)
        assert tasks.notification_send_email(tenant_id=acme.tenant.pk, notification_id=row.pk)
        assert not tasks.notification_send_email(tenant_id=acme.tenant.pk, notification_id=row.pk)
    finally:
        controller.stop()
    assert [m.rcpt_tos for m in sink.messages] == [[acme.reviewer.user.email]]
    with acme.scope():
        row.refresh_from_db()
        assert row.emailed_at is not None
