"""What a signed-in page costs: the member and their account come from one query; the
header's inbox badge adds one COUNT."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _app_queries(captured):
    return [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]


def test_signed_in_home_page_loads_membership_and_user_in_one_query(acme):
    """Plus the unread count of the inbox badge, and nothing else."""
    client = acme.client_for(acme.learner)
    client.get("/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    queries = _app_queries(captured)
    assert len(queries) == 2, queries
    assert "tenants_membership" in queries[0]
    assert "tenants_user" in queries[0]
    assert "COUNT(" in queries[1]
    assert "reviews_notification" in queries[1]


def test_a_session_whose_password_hash_no_longer_matches_is_signed_out(acme):
    client = acme.client_for(acme.learner)
    with acme.scope():
        session = client.session
        session[HASH_SESSION_KEY] = "stale"
        session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_changing_the_password_ends_other_sessions(acme):
    client = acme.client_for(acme.learner)
    user = acme.learner.user
    user.set_password("a-brand-new-passphrase")
    user.save()
    assert client.get("/").status_code == 302


def test_a_deactivated_account_is_not_signed_in_by_its_session(acme):
    client = acme.client_for(acme.learner)
    user = acme.learner.user
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302
