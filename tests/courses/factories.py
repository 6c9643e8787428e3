"""A published course for the catalog and enrolment tests: a course with a page of text, a
revision and Release 1 holding its document, and the catalog entry pointing at it — what
publishing (courses.publishing) makes, built directly so these tests do not depend on it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone

from authoring.document import course_document_build
from authoring.models import Course, CourseAuthor, Revision
from courses.models import CatalogEntry, Release
from tests.factories import CourseFactory, PageFactory, SectionFactory


def publish(
    world: Any,
    *,
    title: str = "Course",
    description: str = "",
    body: str = "",
    category: str = "",
    language: str = "en",
    minutes: int = 5,
    objectives: tuple[str, ...] = (),
    coauthors: tuple[Any, ...] = (),
    listed: bool = True,
    first_published_at: datetime | None = None,
    updated_at: datetime | None = None,
    rating: tuple[str, int] | None = None,
) -> CatalogEntry:
    """Inside world.scope(): a course by world.author, published as release 1."""
    course: Course = CourseFactory(
        owner=world.author,
        title=title,
        description=description,
        category=category,
        language=language,
        estimated_minutes=minutes,
        objectives=[{"id": str(uuid.uuid4()), "text": text} for text in objectives],
    )
    for member in coauthors:
        CourseAuthor.objects.create(course=course, membership=member)
    section = SectionFactory(course=course, title=f"{title} basics", position=0)
    blocks = [
        {
            "id": str(uuid.uuid4()),
            "type": "rich_text",
            "version": 1,
            "data": {"text": f"<p>{body}</p>"},
        }
    ]
    PageFactory(section=section, title=f"{title} introduction", blocks=blocks, position=0)
    document = course_document_build(course)
    revision = Revision.objects.create(course=course, number=1, document=document)
    release = Release.objects.create(course=course, number=1, revision=revision, document=document)
    published = first_published_at or timezone.now()
    average, count = rating if rating else (None, 0)
    return CatalogEntry.objects.create(
        course=course,
        live_release=release,
        title=title,
        description=description,
        category=category,
        language=language,
        estimated_minutes=minutes,
        search_text=f"{title} {title} basics {title} introduction {body}",
        first_published_at=published,
        updated_at=updated_at or published,
        is_listed=listed,
        rating_average=average,
        rating_count=count,
    )
