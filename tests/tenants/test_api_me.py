"""GET/PATCH /api/v1/me/: the signed-in person, their membership and the organisation."""

import pytest
from django.test import Client

from tests.api_helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


def test_me_shows_user_membership_roles_capabilities_and_tenant(acme):
    body = acme.client_for(acme.author).get(URL).json()
    assert body["user"]["email"] == "author@acme.test"
    assert body["user"]["uuid"] == str(acme.author.user.uuid)
    assert body["membership"] == {
        "uuid": str(acme.author.uuid),
        "roles": ["learner", "author"],
        "capabilities": sorted(
            [
                "course.take",
                "jobs.own",
                "profile.own",
                "course.create",
                "course.submit",
                "results.own",
            ]
        ),
    }
    assert body["tenant"] == {"slug": "acme", "name": "Acme", "languages": ["en", "nl"]}
    assert "id" not in body["user"]
    assert "id" not in body["membership"]


def test_me_capabilities_of_an_admin_include_managing_members(acme):
    body = acme.client_for(acme.admin).get(URL).json()
    assert "members.manage" in body["membership"]["capabilities"]
    assert body["membership"]["roles"] == ["learner", "author", "reviewer", "admin"]


def test_patch_me_updates_display_name_and_language(acme):
    client = acme.client_for(acme.learner)
    response = client.patch(
        URL, {"display_name": "Lea Learner", "language": "nl"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["user"]["display_name"] == "Lea Learner"
    acme.learner.user.refresh_from_db()
    assert (acme.learner.user.display_name, acme.learner.user.language) == ("Lea Learner", "nl")


def test_patch_me_with_only_the_language_keeps_the_name(acme):
    name = acme.learner.user.display_name
    response = acme.client_for(acme.learner).patch(
        URL, {"language": ""}, content_type="application/json"
    )
    assert response.status_code == 200
    acme.learner.user.refresh_from_db()
    assert acme.learner.user.display_name == name


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 121}, "display_name"),
    ],
)
def test_patch_me_with_bad_input_is_refused_and_changes_nothing(acme, payload, field):
    before = (acme.learner.user.display_name, acme.learner.user.language)
    response = acme.client_for(acme.learner).patch(URL, payload, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    acme.learner.user.refresh_from_db()
    assert (acme.learner.user.display_name, acme.learner.user.language) == before


def test_patch_me_with_a_malformed_json_body_is_a_400_in_the_error_shape(acme):
    response = acme.client_for(acme.learner).patch(
        URL, "{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_me_needs_authentication(acme):
    assert_error(Client(HTTP_HOST="acme.localhost").get(URL), 401, "not_authenticated")


def test_member_of_another_tenant_is_refused_on_this_host(acme, globex):
    client = Client(HTTP_HOST="acme.localhost")
    with acme.scope():  # the session lives in the host's tenant namespace
        client.force_login(globex.admin.user)
    assert_error(client.get(URL), 403, "forbidden")
