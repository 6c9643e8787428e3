"""Publishing: release n+1 in a job, all or nothing; approved revisions; rollback."""

from __future__ import annotations

import pytest

from authoring.blocks.values import Problem
from authoring.models import Course, CourseStatus, Page
from authoring.services.blocks import page_apply_operations
from authoring.services.courses import course_update
from courses import publishing
from courses.models import CatalogEntry, Release, ReleaseImmutable
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from egl_platform.models import Job, JobStatus
from tenants.models import AuditEvent
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(acme):
    """A course whose category does not require approval, with a text block."""
    with acme.scope():
        cast = make_cast(acme, category="product", tag="p")
        add_text(cast.owner, cast.course, "<p>Forklift <strong>safety</strong> first</p>")
        return cast


@pytest.fixture
def compliance(acme):
    with acme.scope():
        return make_cast(acme, category="compliance", tag="c")


def first_page(course: Course) -> Page:
    return Page.objects.filter(section__course=course).order_by("section__position", "position")[0]


def add_text(actor, course, html):
    page = first_page(course)
    page_apply_operations(
        actor=actor,
        page=page,
        base_version=page.version,
        operations=[
            {"op": "insert", "index": 0, "block": {"type": "rich_text", "data": {"text": html}}}
        ],
    )


def publish(actor, course, notes=""):
    """Run the publish job here and now; returns the finished Job."""
    return publishing.release_publish(
        actor=actor, course=Course.objects.get(pk=course.pk), notes=notes, run_now=True
    )


def live(course):
    entry = CatalogEntry.objects.filter(course=course).first()
    return entry.live_release.number if entry else None


# --- publishing ---------------------------------------------------------------------------------


def test_publish_creates_release_1_and_the_catalog_entry(acme, product):
    with acme.scope():
        job = publish(product.owner, product.course, notes="First <b>release</b>")
        assert job.kind == "courses.publish"
        assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100), job.message
        (release,) = Release.objects.filter(course=product.course)
        assert job.result["release"] == str(release.uuid)
        assert job.result["number"] == 1
        assert release.number == 1
        assert release.notes == "First release"  # plain text
        assert release.published_by == product.owner
        assert release.revision.reason == "publish"
        assert release.document == release.revision.document
        entry = CatalogEntry.objects.get(course=product.course)
        assert entry.live_release == release
        assert entry.title == product.course.title
        assert entry.category == "product"
        assert entry.language == "en"
        assert "Forklift safety first" in entry.search_text
        assert product.course.title in entry.search_text
        assert "<strong>" not in entry.search_text
        assert entry.first_published_at == entry.updated_at
        assert product.reload().status == CourseStatus.PUBLISHED
        assert AuditEvent.objects.filter(verb="release.published").count() == 1


def test_republish_creates_release_2_and_switches_keeping_first_published(acme, product):
    with acme.scope():
        publish(product.owner, product.course)
        first = CatalogEntry.objects.get(course=product.course)
        course_update(
            actor=product.owner, course=product.reload(), title="Forklifts, second edition"
        )
        job = publish(product.coauthor, product.course, notes="Second")
        assert job.status == JobStatus.SUCCEEDED, job.message
        assert list(
            Release.objects.filter(course=product.course).values_list("number", flat=True)
        ) == [2, 1]
        entry = CatalogEntry.objects.get(course=product.course)
        assert entry.live_release.number == 2
        assert entry.title == "Forklifts, second edition"
        assert entry.first_published_at == first.first_published_at
        assert entry.updated_at > first.updated_at
        assert (
            Release.objects.get(course=product.course, number=1).document["course"]["title"]
            != "Forklifts, second edition"
        )


def test_job_reports_progress_at_each_step(acme, product):
    seen: list[tuple[int, str]] = []
    with acme.scope():
        release = publishing.publish_run(
            actor=product.owner,
            course_uuid=product.course.uuid,
            notes="",
            report=lambda progress, message: seen.append((progress, message)),
        )
    assert release.number == 1
    progresses = [p for p, _m in seen]
    assert progresses == sorted(progresses)
    assert len(progresses) >= 5
    assert all(message for _p, message in seen)


def test_approval_required_releases_the_approved_revision_not_later_edits(acme, compliance):
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)
        approved = compliance.latest_review().revision
        course_update(
            actor=compliance.owner, course=compliance.reload(), title="Edited after approval"
        )
        add_text(compliance.owner, compliance.reload(), "<p>Not approved text</p>")
        job = publish(compliance.owner, compliance.course)
        assert job.status == JobStatus.SUCCEEDED, job.message
        release = Release.objects.get(course=compliance.course)
        assert release.revision == approved
        assert release.document == approved.document
        assert release.document["course"]["title"] == "Course c"
        entry = CatalogEntry.objects.get(course=compliance.course)
        assert entry.title == "Course c"
        assert "Not approved text" not in entry.search_text
        assert compliance.reload().status == CourseStatus.PUBLISHED


def test_compliance_course_not_approved_is_refused_without_a_job(acme, compliance):
    with acme.scope():
        with pytest.raises(Conflict, match="requires approval"):
            publish(compliance.owner, compliance.course)
        assert not Job.objects.exists()
        assert not Release.objects.exists()
        assert not CatalogEntry.objects.exists()
        assert compliance.reload().status == CourseStatus.DRAFT


def test_in_review_is_refused_with_the_reason(acme, product):
    with acme.scope():
        bring_to(product, CourseStatus.IN_REVIEW)
        with pytest.raises(Conflict, match="in review"):
            publish(product.owner, product.course)
        assert not Job.objects.exists()


def test_who_may_publish(acme, globex, product):
    with acme.scope():
        with pytest.raises(Forbidden):
            publish(acme.learner, product.course)
        with pytest.raises(NotFound):
            publish(product.other_author, product.course)
        assert publish(acme.reviewer, product.course).status == JobStatus.SUCCEEDED
    with globex.scope(), pytest.raises(NotFound):
        publishing.release_publish(actor=globex.admin, course=product.course)


def test_a_second_publish_while_one_is_queued_is_a_conflict(acme, product):
    with acme.scope():
        Job.objects.create(
            kind="courses.publish",
            params={"course": str(product.course.uuid)},
            created_by=product.owner,
        )
        with pytest.raises(Conflict, match="being published already"):
            publish(product.owner, product.course)
        assert Job.objects.count() == 1


def test_notes_too_long_is_invalid_and_nothing_starts(acme, product):
    with acme.scope():
        with pytest.raises(Invalid):
            publish(product.owner, product.course, notes="x" * (publishing.NOTES_MAX + 1))
        assert not Job.objects.exists()


def test_invalid_document_fails_the_job_and_leaves_the_previous_release_live(
    acme, product, monkeypatch
):
    with acme.scope():
        publish(product.owner, product.course, notes="One")
        audit_before = AuditEvent.objects.count()
        revisions_before = product.reload().revisions.count()
        monkeypatch.setattr(
            publishing,
            "validate_document",
            lambda doc: [Problem("/sections/0/title", "Broken on purpose", "invalid")],
        )
        job = publish(product.owner, product.course, notes="Two")
        assert job.status == JobStatus.FAILED
        assert "cannot be published" in job.message
        assert "Broken on purpose" in job.message
        assert live(product.course) == 1
        assert Release.objects.filter(course=product.course).count() == 1
        assert product.reload().revisions.count() == revisions_before
        assert AuditEvent.objects.count() == audit_before


def test_a_database_error_rolls_everything_back(acme, product, monkeypatch):
    with acme.scope():
        publish(product.owner, product.course, notes="One")
        entry_before = CatalogEntry.objects.values().get(course=product.course)
        revisions_before = product.reload().revisions.count()

        def broken(*args, **kwargs):
            # A real database error on every backend: a second entry for the same course.
            CatalogEntry.objects.create(**{k: v for k, v in entry_before.items() if k != "id"})

        monkeypatch.setattr(publishing, "_point_catalog", broken)
        job = publish(product.owner, product.course, notes="Two")
        assert job.status == JobStatus.FAILED
        assert "failed unexpectedly" in job.message
        assert Release.objects.filter(course=product.course).count() == 1  # release 2 undone
        assert CatalogEntry.objects.values().get(course=product.course) == entry_before
        assert product.reload().revisions.count() == revisions_before  # PUBLISH revision undone


def test_a_failing_first_publish_leaves_the_course_status_unchanged(acme, compliance, monkeypatch):
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)
        monkeypatch.setattr(
            publishing, "validate_document", lambda doc: [Problem("/course/title", "No", "x")]
        )
        job = publish(compliance.owner, compliance.course)
        assert job.status == JobStatus.FAILED
        assert compliance.reload().status == CourseStatus.APPROVED
        assert not CatalogEntry.objects.exists()
        assert not Release.objects.exists()


def test_a_failure_inside_the_transaction_also_restores_the_status(acme, compliance, monkeypatch):
    """The course_mark_published step (status, revision) is undone with the rest."""
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)

        def broken(**kwargs):
            raise Invalid("Storing failed on purpose")

        monkeypatch.setattr(publishing, "_store_release", broken)
        job = publish(compliance.owner, compliance.course)
        assert (job.status, job.message) == (JobStatus.FAILED, "Storing failed on purpose")
        assert compliance.reload().status == CourseStatus.APPROVED
        assert not compliance.reload().revisions.filter(reason="publish").exists()


def test_release_is_immutable(acme, product):
    with acme.scope():
        publish(product.owner, product.course)
        release = Release.objects.get(course=product.course)
        release.notes = "changed"
        with pytest.raises(ReleaseImmutable):
            release.save()
        assert Release.objects.get(pk=release.pk).notes == ""


# --- rollback -----------------------------------------------------------------------------------


def two_releases(product):
    publish(product.owner, product.course, notes="One")
    course_update(actor=product.owner, course=product.reload(), title="Second title")
    publish(product.owner, product.course, notes="Two")
    return Release.objects.get(course=product.course, number=1)


def test_rollback_switches_back_without_a_new_release(acme, product):
    with acme.scope():
        first = two_releases(product)
        entry = publishing.release_rollback(actor=acme.reviewer, release=first)
        assert entry.live_release == first
        assert entry.title == "Course p"
        assert Release.objects.filter(course=product.course).count() == 2
        assert AuditEvent.objects.filter(verb="release.rolled_back").count() == 1
        with pytest.raises(Conflict, match="already live"):
            publishing.release_rollback(actor=acme.reviewer, release=first)


def test_rollback_is_for_reviewers_only(acme, globex, product):
    with acme.scope():
        first = two_releases(product)
        with pytest.raises(Forbidden):
            publishing.release_rollback(actor=product.owner, release=first)
        assert live(product.course) == 2
    with globex.scope(), pytest.raises(NotFound):
        publishing.release_for_actor(actor=globex.admin, release_uuid=first.uuid)


def test_publishing_after_a_rollback_takes_the_next_number(acme, product):
    with acme.scope():
        first = two_releases(product)
        publishing.release_rollback(actor=acme.reviewer, release=first)
        publish(product.owner, product.course)
        assert live(product.course) == 3


def test_search_text_holds_titles_objectives_and_block_text():
    document = {
        "course": {
            "title": "Course T",
            "description": "About forklifts",
            "tags": ["warehouse"],
            "objectives": [{"id": "x", "text": "Drive safely"}],
        },
        "sections": [
            {
                "title": "Section S",
                "pages": [
                    {
                        "title": "Page P",
                        "blocks": [
                            {
                                "type": "rich_text",
                                "data": {"text": "<p>Hello &amp; <em>bye</em></p>"},
                            },
                            {"type": "nope", "data": {}},
                        ],
                    }
                ],
            }
        ],
    }
    text = publishing.search_text_of(document)
    for piece in (
        "Course T",
        "About forklifts",
        "warehouse",
        "Drive safely",
        "Section S",
        "Page P",
        "Hello & bye",
    ):
        assert piece in text


def test_the_document_is_validated_once_when_nothing_changed_meanwhile(acme, product, monkeypatch):
    calls = []
    real = publishing.checked_document

    def counting(document):
        calls.append(document)
        return real(document)

    monkeypatch.setattr(publishing, "checked_document", counting)
    with acme.scope():
        assert publish(product.owner, product.course).status == JobStatus.SUCCEEDED
    assert len(calls) == 1
