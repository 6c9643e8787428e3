"""`manage.py seed_demo_courses`: the demo's sample courses (DESIGN.md §12).

Four realistic courses, Dutch and English, in the demo tenants that `seed_demo` creates
(`seed_demo` runs this command after it), all as drafts: `seed_demo_reviews` (run by name at
the end, so authoring imports nothing of reviews) then takes two of them through the review
flow, so the demo has one course in review and one published. Each course is a course document in
authoring/demo_courses/<slug>.json, loaded through the same service as a template or an
import, and known by its fixed slug: a course whose slug is taken is left alone, so a
second run changes nothing, and a demo course someone deleted comes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, no_translations
from django.db import transaction

from authoring.models import Course, RevisionReason
from authoring.services.coauthors import course_author_add
from authoring.services.courses import course_create_from_document
from authoring.services.revisions import revision_create
from egl_platform.errors import DomainError, Forbidden, NotFound
from tenants.models import Membership, MembershipStatus, Tenant
from tenants.tenancy import tenant_scope

REVIEWS_COMMAND = "seed_demo_reviews"
DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_courses"


@dataclass(frozen=True)
class DemoCourse:
    slug: str  # also the document's file name: demo_courses/<slug>.json
    tenant: str
    owner: str  # e-mail of the owning member
    coauthors: tuple[str, ...] = ()

    def document(self) -> dict[str, Any]:
        return load_document(self.slug)


DEMO_COURSES = (
    DemoCourse(
        slug="demo-heftruck",
        tenant="acme",
        owner="author@acme.test",
    ),
    DemoCourse(
        slug="demo-complaint-call",
        tenant="acme",
        owner="author@acme.test",
    ),
    DemoCourse(
        slug="demo-handscanner",
        tenant="acme",
        owner="author2@acme.test",
        coauthors=("author@acme.test",),
    ),
    DemoCourse(
        slug="demo-incident-triage",
        tenant="globex",
        owner="author@globex.test",
    ),
)


@cache
def _document_text(slug: str) -> str:
    return (DEMO_DIR / f"{slug}.json").read_text(encoding="utf-8")


def load_document(slug: str) -> dict[str, Any]:
    """A fresh copy of a demo course's document (callers may change it)."""
    document: dict[str, Any] = json.loads(_document_text(slug))
    return document


class Command(BaseCommand):
    help = (
        "Create the demo's sample courses in the tenants acme and globex (run seed_demo "
        "first, which also runs this). Safe to run again: a course that exists is kept."
    )

    @no_translations  # operators read English, whatever language a caller left active
    def handle(self, *args: Any, **options: Any) -> None:
        created: list[str] = []
        skipped: list[str] = []
        for spec in DEMO_COURSES:
            tenant = Tenant.objects.filter(slug=spec.tenant, is_active=True).first()
            if tenant is None:
                skipped.append(f"{spec.slug}: no active tenant {spec.tenant} (run seed_demo)")
                continue
            with tenant_scope(tenant):
                if Course.objects.filter(slug=spec.slug).exists():
                    continue
                missing = [
                    email for email in (spec.owner, *spec.coauthors) if _member(email) is None
                ]
                if missing:
                    skipped.append(
                        f"{spec.slug}: no active member {', '.join(missing)} (run seed_demo)"
                    )
                    continue
                try:
                    course = self._create(spec)
                except (DomainError, Forbidden, NotFound) as error:  # e.g. an owner is no author
                    skipped.append(f"{spec.slug}: {' '.join(str(error).split())}")
                    continue
                created.append(
                    f"course {spec.tenant}/{course.slug} ({course.status}): {course.title}"
                )

        verbosity = options["verbosity"]
        if verbosity >= 2:
            for line in created:
                self.stdout.write(f"  + {line}")
        for line in skipped:
            self.stderr.write(f"  ! {line}")
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo courses are in place: {len(created)} added"
                    + ("." if verbosity >= 2 else " (-v 2 lists them).")
                )
            )
        elif not skipped:
            self.stdout.write(
                self.style.SUCCESS("Demo courses were already in place; nothing changed.")
            )
        # Status moves only through the review services (DESIGN.md §6): called by name.
        if REVIEWS_COMMAND in get_commands():
            call_command(
                REVIEWS_COMMAND, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr
            )

    def _create(self, spec: DemoCourse) -> Course:
        owner = _require_member(spec.owner)
        with transaction.atomic():
            course = course_create_from_document(actor=owner, document=spec.document())
            # The fixed slug names the demo course for later runs. Not an edit: version stays.
            Course.objects.filter(pk=course.pk).update(slug=spec.slug)
            course.slug = spec.slug
            for email in spec.coauthors:
                course_author_add(actor=owner, course=course, member=_require_member(email))
            revision_create(actor=owner, course=course, reason=RevisionReason.MANUAL)
        return course


def _member(email: str) -> Membership | None:
    """The active member of the active tenant with this e-mail address."""
    return (
        Membership.objects.filter(user__email=email, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .first()
    )


def _require_member(email: str) -> Membership:
    member = _member(email)
    if member is None:  # checked before creating anything
        raise AssertionError(f"no active member {email}")
    return member
