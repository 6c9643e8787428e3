"""The foundation's story in a real browser: an admin invites a colleague, switches the UI to
Dutch, and the colleague accepts the invitation and lands in the right organisation."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tenants.models import Membership
from tenants.tenancy import tenant_scope
from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for_mail(count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, "the invitation e-mail was not sent"


def test_admin_invites_switches_to_dutch_and_invitee_joins_with_the_right_roles(
    browser, live_server, tenant_url
):
    acme = build_world("acme")
    build_world("globex")  # a second tenant on the same server, which the invitee must not land in

    admin = browser.new_context(locale="en-GB")
    page = admin.new_page()
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill("admin@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

    page.get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Invitations").first.click()
    page.get_by_label("E-mail address").fill("newcomer@acme.test")
    page.get_by_label("Author").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_role("status").filter(has_text="newcomer@acme.test").wait_for()
    assert page.get_by_role("cell", name="newcomer@acme.test").is_visible()

    # Switch the interface to Dutch: the page, and the profile, now speak Dutch.
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Uitnodigingen"
    assert page.get_by_role("link", name="Beheer").is_visible()
    page.goto(tenant_url("acme", "/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welkom")
    admin.close()

    _wait_for_mail(1)
    invitation_mail = mail.outbox[-1]
    assert invitation_mail.to == ["newcomer@acme.test"]
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", invitation_mail.body).group(0)
    assert urlsplit(link).hostname == "acme.localhost"

    invitee = browser.new_context(locale="en-GB")
    page = invitee.new_page()
    page.goto(tenant_url("acme", urlsplit(link).path))
    page.get_by_label("Your name").fill("Nora Newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-new-passphrase")
    page.get_by_label("Password again").fill("a-long-new-passphrase")
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(tenant_url("acme", "/"))
    assert "Nora Newcomer" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("link", name="Acme").is_visible() or "Acme" in page.title()

    with tenant_scope(acme.tenant):
        membership = Membership.objects.select_related("user").get(user__email="newcomer@acme.test")
    assert membership.roles == ["learner", "author"]
    assert membership.tenant_id == acme.tenant.pk

    # The same link does not work twice.
    page.goto(tenant_url("acme", urlsplit(link).path))
    assert page.get_by_text("already been used").is_visible()
    invitee.close()
