"""Public course links (courses/sharing.py, courses/views/sharing.py, courses/guests.py):
managing the link, anonymous guests named on arrival, guests confined to their course, and
frame headers relaxed only where embedding is meant to work."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Answer, Enrollment, PublicLink
from courses.sharing import public_link_create, public_link_revoke
from courses.views.catalog import AssignForm
from egl_platform.errors import Conflict, Forbidden
from reviews.queue import reviewers_of_tenant
from tenants.models import Membership, Tenant, User
from tenants.services.tenant_settings import tenant_update_settings
from tests.courses.player_factories import correct_response, form_data, player_course

pytestmark = pytest.mark.django_db


def allow(world: Any, allowed: bool = True) -> None:
    Tenant.objects.filter(pk=world.tenant.pk).update(allow_public_links=allowed)
    world.tenant.refresh_from_db()


def manage_url(pc: Any, name: str = "manage") -> str:
    return reverse(f"sharing:{name}", kwargs={"course_uuid": pc.course.uuid})


def share_url(link: PublicLink) -> str:
    return reverse("sharing:visit", kwargs={"token": link.token})


def shared(world: Any) -> tuple[Any, PublicLink]:
    allow(world)
    with world.scope():
        pc = player_course(world)
        link = public_link_create(actor=world.author, course=pc.course)
    return pc, link


def guest_in(world: Any, link: PublicLink, name: str = "Ada Guest") -> Client:
    client = Client(HTTP_HOST=world.host())
    response = client.post(share_url(link), {"name": name})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def frame_ancestors(response: Any) -> str:
    policy = response["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if "frame-ancestors" in p)


# --- managing the link --------------------------------------------------------------------------


def test_tenant_not_allowing_cannot_create_a_link(acme):
    with acme.scope():
        pc = player_course(acme)
        with pytest.raises(Conflict):
            public_link_create(actor=acme.author, course=pc.course)
    client = acme.client_for(acme.author)
    page = client.get(manage_url(pc)).content.decode()
    assert "An administrator can allow them in the settings." in page
    response = client.post(manage_url(pc, "create"))
    assert response.status_code == 409
    assert "Public links are switched off" in response.content.decode()
    with acme.scope():
        assert not PublicLink.objects.exists()


def test_admin_switches_public_links_in_the_settings(acme):
    with acme.scope():
        tenant_update_settings(actor=acme.admin, tenant=acme.tenant, allow_public_links=True)
        assert Tenant.objects.get(pk=acme.tenant.pk).allow_public_links
    page = acme.client_for(acme.admin).get(reverse("manage:settings")).content.decode()
    assert 'name="allow_public_links"' in page


def test_author_creates_one_link_and_sees_url_and_embed_code(acme):
    allow(acme)
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.author)
    course_page = client.get(reverse("catalog:course", kwargs={"course_uuid": pc.course.uuid}))
    assert manage_url(pc) in course_page.content.decode()
    assert client.post(manage_url(pc, "create")).status_code == 302
    assert client.post(manage_url(pc, "create")).status_code == 302
    with acme.scope():
        link = PublicLink.objects.get()
    assert len(link.token) == 43
    body = client.get(manage_url(pc)).content.decode()
    url = f"http://{acme.host()}{share_url(link)}"
    assert url in body
    assert "&lt;iframe src=&quot;" + url in body  # inside the readonly textarea, escaped
    assert "title=&quot;Phone basics&quot; width=&quot;100%&quot; height=&quot;640&quot;" in body
    assert '<label for="public-link-embed">' in body
    assert "readonly" in body


def test_learner_may_not_manage_and_another_tenant_sees_nothing(acme, globex):
    allow(acme)
    with acme.scope():
        pc = player_course(acme)
        with pytest.raises(Forbidden):
            public_link_create(actor=acme.learner, course=pc.course)
    learner = acme.client_for(acme.learner)
    assert learner.get(manage_url(pc)).status_code == 403
    assert learner.post(manage_url(pc, "create")).status_code == 403
    outsider = globex.client_for(globex.admin)
    assert outsider.get(manage_url(pc)).status_code == 404
    assert outsider.post(manage_url(pc, "create")).status_code == 404
    with acme.scope():
        assert not PublicLink.objects.exists()


def test_revoke_stops_the_link(acme):
    pc, link = shared(acme)
    learner = acme.client_for(acme.learner)
    assert learner.post(manage_url(pc, "revoke")).status_code == 403
    assert acme.client_for(acme.reviewer).post(manage_url(pc, "revoke")).status_code == 302
    with acme.scope():
        link.refresh_from_db()
        assert link.revoked_at is not None
        again = public_link_create(actor=acme.author, course=pc.course)
        assert again.token != link.token
        public_link_revoke(actor=acme.author, link=again)
    response = Client(HTTP_HOST=acme.host()).get(share_url(link))
    assert response.status_code == 410
    assert "no longer works" in response.content.decode()


# --- visiting the link ----------------------------------------------------------------------------


def test_visit_asks_for_a_name_and_the_guest_lands_in_the_player_and_answers(acme):
    pc, link = shared(acme)
    client = Client(HTTP_HOST=acme.host())
    page = client.get(share_url(link))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Phone basics" in body
    assert "Your name" in body
    response = client.post(share_url(link), {"name": "  Ada   <b>Lovelace</b> "})
    assert response.status_code == 302
    assert response["Location"] == reverse("player:resume", kwargs={"course_uuid": pc.course.uuid})
    with acme.scope():
        guest = Membership.objects.select_related("user").get(is_guest=True)
        assert guest.roles == ["learner"]
        assert guest.user.display_name == "Ada bLovelace/b"
        assert guest.user.email.endswith("@guests.invalid")
        assert not guest.user.has_usable_password()
        enrollment = Enrollment.objects.get(learner=guest)
        assert enrollment.course == pc.course
        block = pc.block("check", "single_choice")
    player = client.get(response["Location"], follow=True)
    assert player.status_code == 200
    assert "Welcome to the phone course." in player.content.decode()
    answer_url = reverse(
        "player:answer", kwargs={"course_uuid": pc.course.uuid, "page_uuid": pc.page_id("check")}
    )
    answered = client.post(answer_url, form_data(block, correct_response(block)))
    assert answered.status_code == 302
    with acme.scope():
        assert Answer.objects.filter(enrollment=enrollment, block_id=block["id"]).exists()


def test_returning_guest_goes_straight_to_the_player(acme):
    pc, link = shared(acme)
    client = guest_in(acme, link)
    response = client.get(share_url(link))
    assert response.status_code == 302
    assert response["Location"] == reverse("player:resume", kwargs={"course_uuid": pc.course.uuid})
    with acme.scope():
        assert Membership.objects.filter(is_guest=True).count() == 1


def test_signed_in_member_is_enrolled_and_sent_to_the_player(acme):
    pc, link = shared(acme)
    response = acme.client_for(acme.author).get(share_url(link))
    assert response.status_code == 302
    assert response["Location"] == reverse("player:resume", kwargs={"course_uuid": pc.course.uuid})
    with acme.scope():
        assert Enrollment.objects.filter(course=pc.course, learner=acme.author).exists()
        assert not Membership.objects.filter(is_guest=True).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_missing_or_long_name_is_refused_and_nothing_is_created(acme, name):
    _pc, link = shared(acme)
    users = User.objects.count()
    response = Client(HTTP_HOST=acme.host()).post(share_url(link), {"name": name})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the error below." in body
    assert 'aria-invalid="true"' in body
    assert User.objects.count() == users
    with acme.scope():
        assert not Membership.objects.filter(is_guest=True).exists()


def test_unknown_token_is_not_found(acme):
    allow(acme)
    response = Client(HTTP_HOST=acme.host()).get(
        reverse("sharing:visit", kwargs={"token": "no-such-token"})
    )
    assert response.status_code == 404
    assert "This link does not exist." in response.content.decode()


def test_switching_public_links_off_stops_an_existing_link(acme):
    _pc, link = shared(acme)
    allow(acme, False)
    client = Client(HTTP_HOST=acme.host())
    assert client.get(share_url(link)).status_code == 410
    assert client.post(share_url(link), {"name": "Ada"}).status_code == 410
    with acme.scope():
        assert not Membership.objects.filter(is_guest=True).exists()


def test_another_tenants_token_is_not_found(acme, globex):
    _pc, link = shared(acme)
    allow(globex)
    assert Client(HTTP_HOST=globex.host()).get(share_url(link)).status_code == 404


# --- guests stay inside their course ---------------------------------------------------------------


def test_guest_cannot_reach_the_rest_of_the_site(acme):
    pc, link = shared(acme)
    with acme.scope():
        other = player_course(acme)
    client = guest_in(acme, link)
    resume = reverse("player:resume", kwargs={"course_uuid": pc.course.uuid})
    for name in ("catalog:list", "catalog:my-learning", "inbox:list", "accounts:profile", "home"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 404), name
        if response.status_code == 302:
            assert response["Location"] == resume, name
    assert client.get(manage_url(pc)).status_code in (302, 404)
    assert client.post(manage_url(pc, "create")).status_code == 404
    assert client.get("/api/v1/catalog/").status_code == 404
    assert client.get(reverse("api-catalog-list")).status_code == 404
    foreign_player = reverse("player:resume", kwargs={"course_uuid": other.course.uuid})
    assert client.get(foreign_player).status_code == 404
    foreign_page = reverse(
        "player:page",
        kwargs={"course_uuid": other.course.uuid, "page_uuid": other.page_id("intro")},
    )
    assert client.get(foreign_page).status_code == 404
    assert client.get(reverse("certificates:verify")).status_code == 200
    page = client.get(resume, follow=True)
    assert page.status_code == 200
    assert 'class="site-nav"' not in page.content.decode()


def test_guests_are_never_offered_as_members_or_reviewers(acme):
    _pc, link = shared(acme)
    guest_in(acme, link)
    with acme.scope():
        guest = Membership.objects.get(is_guest=True)
        guest.is_reviewer = True  # even a guest somehow given a role stays out
        guest.save(update_fields=["is_reviewer"])
        assert guest not in reviewers_of_tenant()
        members = AssignForm().fields["members"].queryset  # type: ignore[attr-defined]
        assert guest not in members
        assert acme.learner in members


# --- frame headers -------------------------------------------------------------------------------


def test_frame_headers_are_relaxed_only_for_the_share_page_and_a_guests_player(acme):
    pc, link = shared(acme)
    share = Client(HTTP_HOST=acme.host()).get(share_url(link))
    assert "X-Frame-Options" not in share
    assert frame_ancestors(share) == "frame-ancestors *"
    client = guest_in(acme, link)
    page_url = reverse(
        "player:page", kwargs={"course_uuid": pc.course.uuid, "page_uuid": pc.page_id("intro")}
    )
    guest_page = client.get(page_url)
    assert guest_page.status_code == 200
    assert "X-Frame-Options" not in guest_page
    assert frame_ancestors(guest_page) == "frame-ancestors *"
    member_page = acme.client_for(acme.learner).get(page_url)
    assert member_page.status_code == 200
    assert member_page["X-Frame-Options"] == "DENY"
    assert frame_ancestors(member_page) == "frame-ancestors 'none'"
    catalog = acme.client_for(acme.learner).get(reverse("catalog:list"))
    assert catalog["X-Frame-Options"] == "DENY"


def test_one_address_cannot_create_guests_without_end(acme, monkeypatch):
    _pc, link = shared(acme)
    monkeypatch.setattr("courses.sharing.GUESTS_PER_ADDRESS_PER_HOUR", 2)
    for n in range(2):
        guest_in(acme, link, name=f"Guest {n}")
    response = Client(HTTP_HOST=acme.host()).post(share_url(link), {"name": "One too many"})
    assert response.status_code == 429
    assert "Too many new visitors" in response.content.decode()
    with acme.scope():
        assert Membership.objects.filter(is_guest=True).count() == 2
