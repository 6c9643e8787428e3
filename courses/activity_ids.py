"""Stable xAPI identifiers: activities, the actor, extensions (DESIGN.md §8).

    course_activity_id(tenant, course_uuid)  # https://acme.example.com/xapi/activities/course/…

An activity id is the tenant's base URL plus the kind and the stable uuid of the course,
section, page or question block in the course document. Those uuids never change between
releases (a page keeps its id from the draft through every release), so statements about
the same page in release 1 and release 2 name the same activity. Ids are lower-cased.

The actor is an xAPI account on the tenant: homePage the tenant's base URL, name the
membership's uuid — no e-mail address or name goes into the statement store.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from tenants.hosts import tenant_origin, tenant_url
from tenants.models import Membership, Tenant

__all__ = [
    "ACTIVITY_KINDS",
    "activity_id",
    "actor_for",
    "course_activity_id",
    "extension_id",
    "page_activity_id",
    "question_activity_id",
    "section_activity_id",
]

ACTIVITY_KINDS = ("course", "section", "page", "question")


def _normal(value: Any) -> str:
    """A uuid in its canonical lower-case form (any other id as given, lower-cased)."""
    text = str(value).strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text.lower()


def activity_id(tenant: Tenant, kind: str, key: Any) -> str:
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    return tenant_url(tenant, f"/xapi/activities/{kind}/{_normal(key)}")


def course_activity_id(tenant: Tenant, course_uuid: Any) -> str:
    return activity_id(tenant, "course", course_uuid)


def section_activity_id(tenant: Tenant, section_uuid: Any) -> str:
    return activity_id(tenant, "section", section_uuid)


def page_activity_id(tenant: Tenant, page_uuid: Any) -> str:
    return activity_id(tenant, "page", page_uuid)


def question_activity_id(tenant: Tenant, block_id: Any) -> str:
    return activity_id(tenant, "question", block_id)


def extension_id(name: str) -> str:
    """The IRI of one of the platform's extensions (the same for every tenant)."""
    return f"https://{settings.EGL_BASE_DOMAIN}/xapi/extensions/{name}"


def actor_for(tenant: Tenant, membership: Membership) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": tenant_origin(tenant), "name": _normal(membership.uuid)},
    }
