"""`manage.py seed_demo_releases`: release 1 for every published course that has none.

seed_demo_reviews publishes a demo course through the review services, which move its
status only; this stores its release and catalog entry (the approved revision where the
category requires approval, else the latest PUBLISH revision), as publishing would have.
A course with a release is left alone: a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from authoring.models import Course, CourseStatus
from courses.models import Release
from courses.publishing import release_store_existing
from egl_platform.errors import DomainError
from tenants.models import Tenant
from tenants.tenancy import tenant_scope


class Command(BaseCommand):
    help = (
        "Store release 1 and the catalog entry of every published course without a release "
        "(demo data). Safe to run again."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        done: list[str] = []
        skipped: list[str] = []
        for tenant in Tenant.objects.filter(is_active=True).order_by("slug"):
            with tenant_scope(tenant):
                courses = Course.objects.filter(status=CourseStatus.PUBLISHED).exclude(
                    pk__in=Release.objects.values("course_id")
                )
                for course in courses.order_by("slug"):
                    try:
                        release = release_store_existing(course=course)
                    except DomainError as error:
                        skipped.append(f"{tenant.slug}/{course.slug}: {error.message}")
                        continue
                    if release is not None:
                        done.append(f"{tenant.slug}/{course.slug}: release {release.number}")
        if options["verbosity"] >= 2:
            for line in done:
                self.stdout.write(f"  + {line}")
        for line in skipped:
            self.stderr.write(f"  ! {' '.join(line.split())}")
        if done:
            self.stdout.write(self.style.SUCCESS(f"Demo releases: {len(done)} stored."))
