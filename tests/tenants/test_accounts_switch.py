"""The tenant switcher: a one-minute, one-time token carries the person to another tenant's host."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tenants.models import MembershipStatus
from tenants.services.accounts import handoff_token_issue
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def session_of(client, world):
    # In the tenant's scope: cache-backed sessions (REDIS_URL) are namespaced by tenant.
    with world.scope():
        return dict(client.session.items())


def member_of_both(acme, globex, roles=("author",)):
    with globex.scope():
        return MembershipFactory(user=acme.learner.user, roles=list(roles))


def test_switching_redirects_to_the_other_host_with_a_token_and_signs_in_there(acme, globex):
    member_of_both(acme, globex)
    response = acme.client_for(acme.learner).get("/accounts/switch/globex/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.hostname == "globex.localhost"
    assert location.path == "/accounts/handoff/"
    token = parse_qs(location.query)["token"][0]

    there = Client(HTTP_HOST=globex.host())
    response = there.get("/accounts/handoff/", {"token": token})
    assert response.status_code == 302
    assert response["Location"] == "/"
    with globex.scope():
        assert there.session["_auth_user_id"] == str(acme.learner.user_id)
    assert there.get("/").status_code == 200


def test_switching_also_works_by_post(acme, globex):
    member_of_both(acme, globex)
    response = acme.client_for(acme.learner).post("/accounts/switch/globex/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).hostname == "globex.localhost"


def test_the_switcher_lists_other_tenants_in_the_navigation(acme, globex):
    member_of_both(acme, globex)
    html = acme.client_for(acme.learner).get("/").content.decode()
    assert 'href="/accounts/switch/globex/"' in html


def test_switching_to_a_tenant_you_are_not_a_member_of_is_404(acme, globex):
    response = acme.client_for(acme.learner).get("/accounts/switch/globex/")
    assert response.status_code == 404


def test_switching_to_an_unknown_tenant_is_404(acme):
    assert acme.client_for(acme.learner).get("/accounts/switch/nowhere/").status_code == 404


def test_switching_to_a_tenant_where_you_were_deactivated_is_404(acme, globex):
    membership = member_of_both(acme, globex)
    with globex.scope():
        membership.status = MembershipStatus.DEACTIVATED
        membership.save(update_fields=["status"])
    from tenants.selectors import tenants_of_user_forget

    tenants_of_user_forget(acme.learner.user_id)
    assert acme.client_for(acme.learner).get("/accounts/switch/globex/").status_code == 404


def test_switching_needs_a_signed_in_member(acme, globex):
    response = Client(HTTP_HOST=acme.host()).get("/accounts/switch/globex/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_handoff_token_works_once(acme, globex):
    member_of_both(acme, globex)
    token = handoff_token_issue(user=acme.learner.user, tenant=globex.tenant)
    assert (
        Client(HTTP_HOST=globex.host()).get("/accounts/handoff/", {"token": token}).status_code
        == 302
    )
    second = Client(HTTP_HOST=globex.host())
    response = second.get("/accounts/handoff/", {"token": token})
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    with globex.scope():
        assert "_auth_user_id" not in second.session


def test_a_handoff_token_for_another_tenant_is_refused(acme, globex):
    member_of_both(acme, globex)
    token = handoff_token_issue(user=acme.learner.user, tenant=globex.tenant)
    client = Client(HTTP_HOST=acme.host())
    response = client.get("/accounts/handoff/", {"token": token})
    assert response.status_code == 400
    assert "another organisation" in response.content.decode()
    assert "_auth_user_id" not in session_of(client, acme)


def test_a_forged_handoff_token_is_refused(acme):
    client = Client(HTTP_HOST=acme.host())
    response = client.get("/accounts/handoff/", {"token": "forged"})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert "_auth_user_id" not in session_of(client, acme)


def test_a_handoff_for_a_non_member_shows_the_login_page_with_the_reason(acme, globex):
    token = handoff_token_issue(user=acme.learner.user, tenant=globex.tenant)
    client = Client(HTTP_HOST=globex.host())
    response = client.get("/accounts/handoff/", {"token": token})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This account has no access to Globex." in html
    assert 'action="/accounts/login/"' in html
    assert "_auth_user_id" not in session_of(client, globex)
