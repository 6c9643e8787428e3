"""The inbox in the browser and the notification API: one's own notifications only (another
member's or tenant's is 404), read on open by POST, the e-mail preference, the header badge,
and the tenant's reminder setting."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from reviews.models import EmailFrequency, Notification, NotificationKind, NotificationPreference
from tenants.models import Tenant
from tests.api_helpers import assert_error
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def notify(world, member, *, kind=NotificationKind.COMMENT, title="Fire safety", url=None, n=1):
    """Inside no scope: `n` notifications for `member` of `world`, newest last."""
    with world.scope():
        course = CourseFactory(owner=world.author, title=title)
        return [
            Notification.objects.create(
                recipient=member,
                kind=kind,
                actor_name="Rita Reviewer",
                course=course,
                data={"course_title": title, "excerpt": f"Note {i}"},
                url=url if url is not None else f"/courses/{course.uuid}/",
            )
            for i in range(n)
        ]


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


# --- the inbox page ------------------------------------------------------------------------------


def test_the_inbox_lists_ones_own_notifications_newest_first(acme):
    (mine,) = notify(acme, acme.author, title="Mine")
    notify(acme, acme.reviewer, title="Someone else's")
    body = acme.client_for(acme.author).get("/inbox/").content.decode()
    assert "Rita Reviewer commented on “Mine”." in body
    assert "Someone else" not in body
    assert f"/inbox/{mine.uuid}/open/" in body
    assert "inbox-item--unread" in body
    assert "Mark all as read" in body
    assert "/inbox/preferences/" in body


def test_every_member_has_an_inbox_and_the_header_counts_unread(acme):
    notify(acme, acme.learner, n=3)
    body = acme.client_for(acme.learner).get("/").content.decode()
    assert 'href="/inbox/"' in body
    assert '3<span class="visually-hidden"> unread</span>' in body
    page = acme.client_for(acme.learner).get("/inbox/")
    assert page.status_code == 200
    assert page.content.decode().count('<li class="inbox-item') == 3


def test_no_badge_without_unread_and_an_empty_state(acme):
    body = acme.client_for(acme.reviewer).get("/inbox/").content.decode()
    assert 'visually-hidden"> unread' not in body
    assert "No notifications yet." in body
    assert "Mark all as read" not in body


def test_the_unread_filter_and_pagination(acme):
    rows = notify(acme, acme.author, n=30)
    with acme.scope():
        Notification.objects.filter(pk__in=[r.pk for r in rows[:10]]).update(
            read_at=rows[0].created_at
        )
    client = acme.client_for(acme.author)
    unread = client.get("/inbox/?show=unread").content.decode()
    assert unread.count('<li class="inbox-item') == 20
    first = client.get("/inbox/").content.decode()
    assert first.count('<li class="inbox-item') == 25
    assert "Page 1 of 2" in first
    assert (
        client.get("/inbox/?show=all&page=2").content.decode().count('<li class="inbox-item') == 5
    )
    with acme.scope():
        Notification.objects.update(read_at=rows[0].created_at)
    assert "Nothing unread." in client.get("/inbox/?show=unread").content.decode()


def test_opening_marks_read_and_goes_where_one_acts(acme):
    (row,) = notify(acme, acme.author)
    client = acme.client_for(acme.author)
    assert client.get(f"/inbox/{row.uuid}/open/").status_code == 405  # no GET side effect
    response = client.post(f"/inbox/{row.uuid}/open/")
    assert response.status_code == 302
    assert response["Location"] == row.url
    with acme.scope():
        row.refresh_from_db()
        assert row.read_at is not None
    assert "inbox-item--unread" not in client.get("/inbox/").content.decode()


def test_an_offsite_url_is_never_followed(acme):
    (row,) = notify(acme, acme.author, url="https://evil.example/phish")
    response = acme.client_for(acme.author).post(f"/inbox/{row.uuid}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


def test_another_members_or_tenants_notification_is_404(acme, globex):
    (theirs,) = notify(acme, acme.reviewer)
    (foreign,) = notify(globex, globex.author)
    client = acme.client_for(acme.author)
    assert client.post(f"/inbox/{theirs.uuid}/open/").status_code == 404
    assert client.post(f"/inbox/{foreign.uuid}/open/").status_code == 404
    with acme.scope():
        theirs.refresh_from_db()
        assert theirs.read_at is None
    with globex.scope():
        foreign.refresh_from_db()
        assert foreign.read_at is None


def test_mark_all_as_read_touches_only_ones_own(acme):
    notify(acme, acme.author, n=3)
    (theirs,) = notify(acme, acme.reviewer)
    client = acme.client_for(acme.author)
    response = client.post("/inbox/read-all/", follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    with acme.scope():
        assert not Notification.objects.filter(recipient=acme.author, read_at=None).exists()
        theirs.refresh_from_db()
        assert theirs.read_at is None


def test_posts_need_the_csrf_token(acme):
    (row,) = notify(acme, acme.author)
    client = Client(HTTP_HOST=acme.host(), enforce_csrf_checks=True)
    with acme.scope():
        client.force_login(acme.author.user)
    assert client.post(f"/inbox/{row.uuid}/open/").status_code == 403
    assert client.post("/inbox/read-all/").status_code == 403
    assert client.post("/inbox/preferences/", {"email_frequency": "off"}).status_code == 403
    with acme.scope():
        row.refresh_from_db()
        assert row.read_at is None
        assert not NotificationPreference.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(acme):
    response = Client(HTTP_HOST=acme.host()).get("/inbox/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_preference_form(acme):
    client = acme.client_for(acme.learner)
    page = client.get("/inbox/preferences/").content.decode()
    assert 'value="immediately"' in page
    assert 'value="daily"' in page
    assert 'value="off"' in page
    response = client.post("/inbox/preferences/", {"email_frequency": "daily"})
    assert response.status_code == 302
    with acme.scope():
        assert (
            NotificationPreference.objects.get(membership=acme.learner).email_frequency
            == EmailFrequency.DAILY
        )
    bad = client.post("/inbox/preferences/", {"email_frequency": "hourly"})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()
    with acme.scope():
        assert (
            NotificationPreference.objects.get(membership=acme.learner).email_frequency
            == EmailFrequency.DAILY
        )


# --- the API --------------------------------------------------------------------------------------


def test_api_lists_ones_own_newest_first_with_an_unread_filter(acme):
    rows = notify(acme, acme.author, n=3)
    notify(acme, acme.reviewer)
    with acme.scope():
        Notification.objects.filter(pk=rows[0].pk).update(read_at=rows[0].created_at)
    client = acme.client_for(acme.author)
    body = client.get("/api/v1/notifications/").json()
    assert [item["uuid"] for item in body["results"]] == [str(r.uuid) for r in reversed(rows)]
    first = body["results"][0]
    assert first["kind"] == "comment"
    assert first["summary"] == "Rita Reviewer commented on “Fire safety”."
    assert first["unread"] is True
    assert first["data"]["excerpt"] == "Note 2"
    assert "next" in body
    unread = client.get("/api/v1/notifications/?unread=1").json()["results"]
    assert {item["uuid"] for item in unread} == {str(rows[1].uuid), str(rows[2].uuid)}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    paged = client.get("/api/v1/notifications/?page_size=2").json()
    assert len(paged["results"]) == 2
    assert paged["next"]


def test_api_read_and_read_all(acme):
    rows = notify(acme, acme.author, n=3)
    client = acme.client_for(acme.author)
    response = client.post(f"/api/v1/notifications/{rows[0].uuid}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_api_another_members_or_tenants_notification_is_404(acme, globex):
    (theirs,) = notify(acme, acme.reviewer)
    (foreign,) = notify(globex, globex.author)
    client = acme.client_for(acme.author)
    assert_error(client.post(f"/api/v1/notifications/{theirs.uuid}/read/"), 404, "not_found")
    assert_error(client.post(f"/api/v1/notifications/{foreign.uuid}/read/"), 404, "not_found")
    assert_error(client.post("/api/v1/notifications/not-a-uuid/read/"), 404, "not_found")
    assert client.get("/api/v1/notifications/").json()["results"] == []
    with acme.scope():
        theirs.refresh_from_db()
        assert theirs.read_at is None


def test_api_preferences(acme):
    client = acme.client_for(acme.learner)
    url = "/api/v1/notification-preferences/"
    assert client.get(url).json() == {"email_frequency": "immediately"}
    response = send(client, "put", url, {"email_frequency": "off"})
    assert response.status_code == 200
    assert response.json() == {"email_frequency": "off"}
    assert client.get(url).json() == {"email_frequency": "off"}
    error = assert_error(send(client, "put", url, {"email_frequency": "weekly"}), 400, "invalid")
    assert "immediately, daily or off" in error["message"]
    assert error["fields"]["email_frequency"]
    assert_error(send(client, "put", url, {}), 400, "invalid")
    assert client.get(url).json() == {"email_frequency": "off"}


def test_api_needs_sign_in(acme):
    client = Client(HTTP_HOST=acme.host())
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
    assert client.get("/api/v1/notification-preferences/").status_code in (401, 403)


# --- the tenant's reminder setting ----------------------------------------------------------------


def settings_form(acme, **changes):
    tenant = Tenant.objects.get(pk=acme.tenant.pk)
    data = {
        "name": tenant.name,
        "languages": ["en", "nl"],
        "default_language": tenant.default_language,
        "brand_colour": tenant.brand_colour,
        "brand_colour_picker": tenant.brand_colour,
        "upload_limit_mb": str(tenant.upload_limit_mb),
    }
    data.update(changes)
    return data


def test_admins_set_the_review_reminder_days(acme):
    client = acme.client_for(acme.admin)
    page = client.get("/manage/settings/").content.decode()
    assert 'name="review_reminder_days"' in page
    assert 'value="3"' in page
    response = client.post("/manage/settings/", settings_form(acme, review_reminder_days="0"))
    assert response.status_code == 302, response.content.decode()
    assert Tenant.objects.get(pk=acme.tenant.pk).review_reminder_days == 0
    response = client.post("/manage/settings/", settings_form(acme, review_reminder_days="7"))
    assert Tenant.objects.get(pk=acme.tenant.pk).review_reminder_days == 7


@pytest.mark.parametrize("days", ["61", "-1"])
def test_reminder_days_out_of_range_change_nothing(acme, days):
    client = acme.client_for(acme.admin)
    response = client.post(
        "/manage/settings/", settings_form(acme, review_reminder_days=days, name="Changed")
    )
    assert response.status_code == 400
    assert "Choose from 0 to 60 days; 0 turns review reminders off." in response.content.decode()
    tenant = Tenant.objects.get(pk=acme.tenant.pk)
    assert tenant.review_reminder_days == 3
    assert tenant.name != "Changed"
