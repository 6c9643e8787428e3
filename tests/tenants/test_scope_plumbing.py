"""The tenant scope reaches everything that could leak: cache keys, storage paths, tasks, hosts."""

import pytest
from django.core.cache import cache
from django.test import Client

from tenants.models import Membership
from tenants.tasking import TenantGone, tenant_task
from tenants.tenancy import (
    get_active_tenant,
    no_tenant_scope,
    require_active_tenant,
    tenant_scope,
    tenant_storage_path,
)

pytestmark = pytest.mark.django_db


def test_cache_entries_are_per_tenant(acme, globex):
    with tenant_scope(acme.tenant):
        cache.set("dashboard", "acme figures")
    with tenant_scope(globex.tenant):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "globex figures")
    with tenant_scope(acme.tenant):
        assert cache.get("dashboard") == "acme figures"
    with no_tenant_scope():
        assert cache.get("dashboard") is None


def test_storage_paths_live_in_the_tenants_folder(acme):
    with tenant_scope(acme.tenant):
        assert (
            tenant_storage_path("exports", "x.csv") == f"tenants/{acme.tenant.uuid}/exports/x.csv"
        )


@tenant_task(name="tests.count_members")
def count_members() -> tuple[str, int]:
    return require_active_tenant().slug, Membership.objects.count()


def test_a_tenant_task_runs_inside_its_tenant(acme, globex):
    with no_tenant_scope():
        assert count_members.apply(kwargs={"tenant_id": globex.tenant.pk}).get() == ("globex", 4)
        assert get_active_tenant() is None


def test_a_tenant_task_for_an_inactive_tenant_is_dropped(acme):
    acme.tenant.is_active = False
    acme.tenant.save()
    result = count_members.apply(kwargs={"tenant_id": acme.tenant.pk})
    assert isinstance(result.result, TenantGone)


def test_unknown_tenant_host_is_404_with_a_clear_message(client):
    response = client.get("/", HTTP_HOST="nosuch.localhost")
    assert response.status_code == 404
    assert b"There is no organisation at nosuch.localhost" in response.content


def test_unknown_tenant_host_message_follows_the_browser_language(client):
    response = client.get("/", HTTP_HOST="nosuch.localhost", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert b"Onbekende organisatie" in response.content


def test_foreign_host_is_refused(client):
    assert client.get("/", HTTP_HOST="evil.example.com").status_code == 400


def test_bare_host_serves_the_platform_landing_page(client, acme):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Go to your organisation" in response.content


def test_landing_page_sends_you_to_your_organisation(client, acme):
    response = client.get("/", {"organisation": "acme"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"] == "http://acme.localhost:8000/"


def test_landing_page_says_when_an_organisation_is_unknown(client):
    response = client.get("/", {"organisation": "nosuch"}, HTTP_HOST="localhost")
    assert response.status_code == 404
    assert b"could not find an organisation" in response.content


def test_tenant_home_asks_anonymous_visitors_to_sign_in(client, acme):
    response = client.get("/", HTTP_HOST="acme.localhost")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_without_membership_here_is_refused(acme, globex):
    # Cookies are per host, so this takes a session made on acme's host for a globex-only user.
    client = Client(HTTP_HOST="acme.localhost")
    with acme.scope():
        client.force_login(globex.admin.user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not an active member of this organisation" in response.content


def test_responses_carry_a_nonce_based_content_security_policy(acme):
    response = acme.client_for(acme.learner).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_the_logo_is_served_on_the_tenants_own_host_only(acme, globex, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    acme.tenant.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"), save=True)
    response = Client().get("/branding/logo/", HTTP_HOST="acme.localhost")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert Client().get("/branding/logo/", HTTP_HOST="globex.localhost").status_code == 404


def test_an_unknown_api_url_answers_in_the_api_error_shape(acme):
    response = acme.client_for(acme.learner).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_an_unknown_page_answers_with_the_html_error_page(acme):
    response = acme.client_for(acme.learner).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
