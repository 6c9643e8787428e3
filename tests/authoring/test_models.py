"""The authoring models obey tenancy, and their constraints hold."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from authoring.models import (
    Asset,
    Course,
    CourseAuthor,
    Page,
    Revision,
    RevisionImmutable,
    Section,
    safe_filename,
)
from tenants.checks import check_tenant_owned
from tenants.tenancy import NoActiveTenant
from tests.factories import AssetFactory, CourseFactory, PageFactory, SectionFactory

AUTHORING_MODELS = [Asset, Course, CourseAuthor, Section, Page, Revision]


def test_the_tenancy_check_passes_with_the_authoring_models():
    assert check_tenant_owned() == []
    assert check_tenant_owned(AUTHORING_MODELS) == []


@pytest.mark.parametrize("model", AUTHORING_MODELS)
def test_manager_raises_outside_a_tenant_scope(db, model):
    with pytest.raises(NoActiveTenant):
        list(model.objects.all())


def test_other_tenant_cannot_see_the_course_or_its_rows(acme, globex):
    with acme.scope():
        page = PageFactory(section__course__owner=acme.author)
        course = page.section.course
        assert Course.objects.filter(pk=course.pk).exists()
    with globex.scope():
        assert not Course.objects.filter(pk=course.pk).exists()
        assert not Course.objects.filter(uuid=course.uuid).exists()
        assert not Section.objects.filter(pk=page.section.pk).exists()
        assert not Page.objects.filter(pk=page.pk).exists()


def test_uuid_and_slug_are_unique_per_tenant_only(acme, globex):
    with acme.scope():
        course = CourseFactory(owner=acme.author, slug="phones")
    with globex.scope():
        twin = CourseFactory(owner=globex.author, slug="phones", uuid=course.uuid)
        assert twin.uuid == course.uuid
    with acme.scope():
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseFactory(owner=acme.author, slug="phones")
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseFactory(owner=acme.author, uuid=course.uuid)


def test_a_coauthor_is_listed_once(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        CourseAuthor.objects.create(course=course, membership=acme.admin)
        assert list(course.authors.all()) == [acme.admin]
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseAuthor.objects.create(course=course, membership=acme.admin)


def test_sections_and_pages_come_in_position_order(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        second = SectionFactory(course=course, position=2)
        first = SectionFactory(course=course, position=1)
        assert list(course.sections.all()) == [first, second]
        b = PageFactory(section=first, position=5)
        a = PageFactory(section=first, position=0)
        assert list(first.pages.all()) == [a, b]
        assert str(course) == course.title
        assert str(a) == a.title


def test_revision_numbers_are_unique_per_course_and_revisions_never_change(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        revision = Revision.objects.create(course=course, number=1, document={"a": 1})
        Revision.objects.create(course=CourseFactory(owner=acme.author), number=1, document={})
        with pytest.raises(IntegrityError), transaction.atomic():
            Revision.objects.create(course=course, number=1, document={})
        revision.document = {"a": 2}
        with pytest.raises(RevisionImmutable):
            revision.save()
        revision.refresh_from_db()
        assert revision.document == {"a": 1}


def test_asset_files_live_in_the_tenant_folder(acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with acme.scope():
        asset = AssetFactory(filename="../../etc/My Photo!.png")
        assert asset.file.name.startswith(f"tenants/{acme.tenant.uuid}/assets/{asset.uuid}/")
        assert asset.file.name.endswith("/My_Photo.png")
        assert asset.file.read() == b"png"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../x/secret.txt", "secret.txt"),
        ("C:\\Users\\me\\a b.png", "a_b.png"),
        ("..", "file"),
        ("", "file"),
        (".htaccess", "htaccess"),
        ("a" * 300 + ".png", "a" * 96 + ".png"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected
