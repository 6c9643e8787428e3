"""/api/v1/tokens/ and API authentication: bearer tokens, revoked and foreign tokens, CSRF."""

import pytest
from django.test import Client

from tenants.models import ApiToken
from tenants.services.accounts import api_token_create, api_token_revoke
from tests.api_helpers import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tokens/"


def issue(world, membership, name="Sync"):
    with world.scope():
        return api_token_create(actor=membership, name=name)


def bearer(world, key):
    return Client(HTTP_HOST=world.host(), HTTP_AUTHORIZATION=f"Bearer {key}")


def active_tokens(world):
    with world.scope():
        return sorted(
            ApiToken.objects.filter(revoked_at__isnull=True).values_list("uuid", flat=True)
        )


# --- the token endpoints ----------------------------------------------------------------------------


def test_creating_a_token_shows_the_key_once(acme):
    client = acme.client_for(acme.learner)
    response = client.post(LIST, {"name": "HR sync"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"uuid", "name", "prefix", "created_at", "last_used_at", "key"}
    assert body["key"].startswith(f"egl_{body['prefix']}_")
    listed = client.get(LIST).json()["results"]
    assert [row["uuid"] for row in listed] == [body["uuid"]]
    assert "key" not in listed[0]
    assert body["key"] not in client.get(LIST).content.decode()
    with acme.scope():
        assert body["key"] not in ApiToken.objects.get(uuid=body["uuid"]).key_hash


def test_token_list_shows_only_my_active_tokens(acme, django_assert_max_num_queries):
    mine = issue(acme, acme.author, "Mine")
    issue(acme, acme.learner, "Someone else's")
    revoked = issue(acme, acme.author, "Old")
    with acme.scope():
        api_token_revoke(actor=acme.author, token=revoked.token)
    client = acme.client_for(acme.author)
    client.get("/api/v1/me/")
    with django_assert_max_num_queries(5):
        body = client.get(LIST).json()
    assert [row["uuid"] for row in body["results"]] == [str(mine.token.uuid)]


@pytest.mark.parametrize("payload", [{"name": ""}, {}, {"name": "x" * 81}])
def test_bad_token_name_is_a_400_and_creates_nothing(acme, payload):
    response = acme.client_for(acme.learner).post(LIST, payload, content_type="application/json")
    assert "name" in assert_error(response, 400, "invalid")["fields"]
    assert active_tokens(acme) == []


def test_revoking_a_token_by_uuid(acme):
    issued = issue(acme, acme.learner)
    client = acme.client_for(acme.learner)
    assert client.delete(f"{LIST}{issued.token.uuid}/").status_code == 204
    assert active_tokens(acme) == []
    assert_error(client.delete(f"{LIST}{issued.token.uuid}/"), 404, "not_found")


def test_someone_elses_token_cannot_be_revoked(acme):
    theirs = issue(acme, acme.learner)
    assert_error(
        acme.client_for(acme.admin).delete(f"{LIST}{theirs.token.uuid}/"), 404, "not_found"
    )
    assert active_tokens(acme) == [theirs.token.uuid]


def test_other_tenants_token_cannot_be_revoked(acme, globex):
    theirs = issue(globex, globex.admin)
    assert_error(
        acme.client_for(acme.admin).delete(f"{LIST}{theirs.token.uuid}/"), 404, "not_found"
    )
    assert active_tokens(globex) == [theirs.token.uuid]


def test_a_signed_in_non_member_cannot_create_tokens_here(acme, globex):
    client = Client(HTTP_HOST="acme.localhost")
    with acme.scope():  # the session lives in the host's tenant namespace
        client.force_login(globex.learner.user)
    assert_error(
        client.post(LIST, {"name": "x"}, content_type="application/json"), 403, "forbidden"
    )
    assert active_tokens(acme) == []


# --- bearer authentication -------------------------------------------------------------------------------


def test_bearer_token_authenticates_as_its_membership(acme):
    issued = issue(acme, acme.author)
    response = bearer(acme, issued.key).get("/api/v1/me/")
    assert response.status_code == 200, response.content
    assert response.json()["membership"]["uuid"] == str(acme.author.uuid)


def test_bearer_token_writes_need_no_csrf_token(acme):
    issued = issue(acme, acme.admin)
    client = Client(
        enforce_csrf_checks=True, HTTP_HOST=acme.host(), HTTP_AUTHORIZATION=f"Bearer {issued.key}"
    )
    response = client.post(
        "/api/v1/groups/", {"name": "Via token"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_bearer_token_carries_its_memberships_roles_only(acme):
    issued = issue(acme, acme.learner)
    assert_error(bearer(acme, issued.key).get("/api/v1/members/"), 403, "forbidden")


def test_revoked_token_is_a_401(acme):
    issued = issue(acme, acme.author)
    with acme.scope():
        api_token_revoke(actor=acme.author, token=issued.token)
    assert_error(bearer(acme, issued.key).get("/api/v1/me/"), 401, "authentication_failed")


def test_other_tenants_token_is_a_401_on_this_host(acme, globex):
    issued = issue(globex, globex.admin)
    assert bearer(globex, issued.key).get("/api/v1/me/").status_code == 200
    assert_error(bearer(acme, issued.key).get("/api/v1/me/"), 401, "authentication_failed")
    assert_error(bearer(acme, issued.key).get("/api/v1/members/"), 401, "authentication_failed")


@pytest.mark.parametrize("key", ["egl_nope_nope", "garbage", "egl__", ""])
def test_made_up_tokens_are_a_401(acme, key):
    issue(acme, acme.author)
    response = bearer(acme, key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_a_tampered_key_with_a_real_prefix_is_a_401(acme):
    issued = issue(acme, acme.author)
    assert_error(
        bearer(acme, issued.key[:-4] + "AAAA").get("/api/v1/me/"), 401, "authentication_failed"
    )


def test_a_deactivated_members_token_stops_working(acme, django_capture_on_commit_callbacks):
    issued = issue(acme, acme.author)
    acme.client_for(acme.admin).post(f"/api/v1/members/{acme.author.uuid}/deactivate/")
    assert_error(bearer(acme, issued.key).get("/api/v1/me/"), 401, "authentication_failed")


def test_anonymous_requests_are_a_401_asking_for_a_bearer_token(acme):
    response = Client(HTTP_HOST=acme.host()).get("/api/v1/groups/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


# --- session authentication and CSRF ----------------------------------------------------------------------


def test_session_writes_need_the_csrf_token(acme):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=acme.host())
    with acme.scope():
        client.force_login(acme.learner.user)
    assert client.get(LIST).status_code == 200  # safe methods need no token
    response = client.post(LIST, {"name": "No CSRF"}, content_type="application/json")
    assert_error(response, 403, "forbidden")
    assert active_tokens(acme) == []
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        LIST, {"name": "With CSRF"}, content_type="application/json", HTTP_X_CSRFTOKEN=secret
    )
    assert response.status_code == 201, response.content


def test_every_issued_key_authenticates(acme):
    # Keys are split on "_"; a prefix containing one once made about one key in eight unusable.
    keys = [issue(acme, acme.author, f"Token {n}").key for n in range(19)]
    for key in keys:
        assert bearer(acme, key).get("/api/v1/me/").status_code == 200, key
