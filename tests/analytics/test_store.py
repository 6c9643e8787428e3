"""analytics.store.statement_store and the learning_event receiver: validated, idempotent,
tenant-isolated (manager and row-level security)."""

from __future__ import annotations

import copy
import logging
import uuid
from typing import Any

import pytest
from django.db import connection

from analytics.models import Statement
from analytics.store import statement_store
from courses.tracking import learning_event
from tenants.tenancy import CrossTenantWrite, no_tenant_scope

pytestmark = pytest.mark.django_db


def make_statement(world: Any, **changes: Any) -> dict[str, Any]:
    host = f"https://{world.tenant.slug}.example.com"
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": host, "name": str(world.learner.uuid)},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"{host}/xapi/activities/page/{uuid.uuid4()}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/lesson"},
        },
        "context": {"registration": str(uuid.uuid4())},
        "timestamp": "2026-11-29T12:00:00.000Z",
        "version": "1.0.3",
    }
    statement.update(changes)
    return statement


def test_stores_the_statement_as_sent_with_its_columns(acme) -> None:
    statement = make_statement(acme)
    with acme.scope():
        assert statement_store(copy.deepcopy(statement), tenant_id=acme.tenant.pk) is True
        row = Statement.objects.get()
    assert row.payload == statement
    assert str(row.statement_id) == statement["id"]
    assert row.verb == statement["verb"]["id"]
    assert row.object_id == statement["object"]["id"]
    assert row.actor_key == str(acme.learner.uuid)
    assert str(row.registration) == statement["context"]["registration"]
    assert row.timestamp.isoformat() == "2026-11-29T12:00:00+00:00"
    assert row.stored is not None


def test_idempotent_on_statement_id(acme) -> None:
    statement = make_statement(acme)
    changed = copy.deepcopy(statement)
    changed["verb"] = {"id": "http://adlnet.gov/expapi/verbs/launched"}
    with acme.scope():
        assert statement_store(statement, tenant_id=acme.tenant.pk)
        assert statement_store(statement, tenant_id=acme.tenant.pk)
        assert statement_store(changed, tenant_id=acme.tenant.pk)
        rows = list(Statement.objects.all())
    assert len(rows) == 1
    assert rows[0].verb == "http://adlnet.gov/expapi/verbs/experienced"  # the first one kept


def test_same_statement_id_in_two_tenants_is_two_statements(acme, globex) -> None:
    statement_id = str(uuid.uuid4())
    with acme.scope():
        statement_store(make_statement(acme, id=statement_id), tenant_id=acme.tenant.pk)
    with globex.scope():
        statement_store(make_statement(globex, id=statement_id), tenant_id=globex.tenant.pk)
        assert Statement.objects.count() == 1
    with acme.scope():
        assert Statement.objects.count() == 1


def test_invalid_statements_are_logged_and_not_stored(acme, caplog) -> None:
    broken = make_statement(acme)
    broken["actor"]["mbox"] = "mailto:learner@acme.test"  # two IFIs
    bad_score = make_statement(acme, result={"score": {"scaled": 1.5}})
    with acme.scope(), caplog.at_level(logging.ERROR, logger="analytics.store"):
        assert statement_store(broken, tenant_id=acme.tenant.pk) is False
        assert statement_store(bad_score, tenant_id=acme.tenant.pk) is False
        assert statement_store("not a statement", tenant_id=acme.tenant.pk) is False
        assert not Statement.objects.exists()
    messages = [r.getMessage() for r in caplog.records]
    assert any("/actor" in m for m in messages)
    assert any("/result/score/scaled" in m for m in messages)


def test_missing_id_and_timestamp_are_assigned(acme) -> None:
    statement = make_statement(acme)
    del statement["id"], statement["timestamp"]
    with acme.scope():
        assert statement_store(statement, tenant_id=acme.tenant.pk)
        row = Statement.objects.get()
    assert row.payload["id"] == str(row.statement_id)
    assert "timestamp" in row.payload
    assert "id" not in statement  # the caller's dict is left alone


def test_other_tenants_statements_are_invisible(acme, globex) -> None:
    with acme.scope():
        statement_store(make_statement(acme), tenant_id=acme.tenant.pk)
    with globex.scope():
        assert Statement.objects.count() == 0
    if connection.vendor != "postgresql":
        return  # row-level security, checked below, exists on PostgreSQL only
    # Row-level security: not even raw SQL in globex's scope sees acme's statement.
    with globex.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_statement")
        assert cursor.fetchone()[0] == 0
    with acme.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_statement")
        assert cursor.fetchone()[0] == 1


def test_storing_for_another_tenant_than_the_active_one_is_refused(acme, globex) -> None:
    with globex.scope():
        with pytest.raises(CrossTenantWrite):
            statement_store(make_statement(acme), tenant_id=acme.tenant.pk)
        assert Statement.objects.count() == 0


def test_without_an_active_tenant_the_store_enters_the_statements_tenant(acme) -> None:
    statement = make_statement(acme)
    with no_tenant_scope():
        assert statement_store(statement, tenant_id=acme.tenant.pk)
    with acme.scope():
        assert Statement.objects.get().statement_id == uuid.UUID(statement["id"])


def test_the_learning_event_signal_reaches_the_store(acme) -> None:
    statement = make_statement(acme)
    with acme.scope():
        learning_event.send(sender=None, statement=statement, tenant_id=acme.tenant.pk)
        assert Statement.objects.filter(statement_id=statement["id"]).exists()
