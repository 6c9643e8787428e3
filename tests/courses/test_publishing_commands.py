"""`publish_course` and `seed_demo_releases` (with seed_demo_reviews calling it)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from authoring.models import Course, CourseStatus
from courses import publishing
from courses.models import CatalogEntry, Release
from egl_platform.errors import Invalid
from egl_platform.models import Job, JobStatus
from reviews import services
from tenants.models import Tenant
from tenants.tenancy import tenant_scope
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(acme):
    with acme.scope():
        return make_cast(acme, category="product", tag="p")


@pytest.fixture
def compliance(acme):
    with acme.scope():
        return make_cast(acme, category="compliance", tag="c")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_publish_course_by_slug_as_the_owner(acme, product):
    output = run("publish_course", "acme", product.course.slug, "--notes", "From the CLI")
    assert "release 1 is live" in output
    with acme.scope():
        release = Release.objects.get(course=product.course)
        assert (release.notes, release.published_by) == ("From the CLI", product.owner)
        assert CatalogEntry.objects.get(course=product.course).live_release == release
        job = Job.objects.get()
        assert (job.status, job.progress, job.created_by) == (
            JobStatus.SUCCEEDED,
            100,
            product.owner,
        )


def test_publish_course_by_uuid_as_someone_else(acme, compliance):
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)
    output = run(
        "publish_course", "acme", str(compliance.course.uuid), "--as", "reviewer@acme.test"
    )
    assert "release 1 is live" in output
    with acme.scope():
        assert Release.objects.get().published_by == acme.reviewer


def test_publish_course_refusals_exit_with_one_line(acme, compliance, product, monkeypatch):
    with pytest.raises(CommandError, match="requires approval"):
        run("publish_course", "acme", compliance.course.slug)
    with pytest.raises(CommandError, match="No course"):
        run("publish_course", "acme", "no-such-course")
    with pytest.raises(CommandError, match="No active tenant"):
        run("publish_course", "nowhere", product.course.slug)
    with pytest.raises(CommandError, match="No active member"):
        run("publish_course", "acme", product.course.slug, "--as", "nobody@acme.test")
    with pytest.raises(CommandError, match="Refused"):
        run("publish_course", "acme", product.course.slug, "--as", "learner@acme.test")
    with pytest.raises(CommandError) as error:
        run("publish_course", "acme", product.course.slug, "--notes", "x" * 5001)
    assert "\n" not in str(error.value)
    # A failing job: non-zero with its message; nothing released.
    monkeypatch.setattr(
        publishing, "checked_document", lambda doc: (_ for _ in ()).throw(Invalid("Bad doc"))
    )
    with pytest.raises(CommandError, match="Publishing failed: Bad doc"):
        run("publish_course", "acme", product.course.slug)
    with acme.scope():
        assert not Release.objects.exists()
        assert product.reload().status == CourseStatus.DRAFT


def test_seed_demo_releases_stores_release_1_once(acme, compliance, product):
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)
        approved = compliance.latest_review().revision
        services.course_mark_published(actor=compliance.owner, course=compliance.reload())
        services.course_mark_published(actor=product.owner, course=product.reload())
    run("seed_demo_releases")
    with acme.scope():
        compliance_release = Release.objects.get(course=compliance.course)
        assert compliance_release.revision == approved
        product_release = Release.objects.get(course=product.course)
        assert product_release.revision.reason == "publish"
        assert CatalogEntry.objects.count() == 2
    run("seed_demo_releases")
    with acme.scope():
        assert Release.objects.count() == 2


def test_seed_demo_gives_the_published_demo_course_its_release():
    run("seed_demo")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        published = Course.objects.filter(status=CourseStatus.PUBLISHED)
        assert published.exists()
        for course in published:
            entry = CatalogEntry.objects.get(course=course)
            assert entry.live_release.number == 1
        count = Release.objects.count()
    run("seed_demo_reviews")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        assert Release.objects.count() == count
