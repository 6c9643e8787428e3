"""A course's category is one of the tenant's review categories, and an author cannot move a
course out of a category that requires approval (that would sidestep review)."""

from __future__ import annotations

import pytest

from authoring.models import Course
from authoring.services.courses import course_create, course_update
from egl_platform.errors import Forbidden, Invalid
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


def test_an_unknown_category_is_refused_and_nothing_changes(acme):
    with acme.scope():
        with pytest.raises(Invalid) as error:
            course_create(actor=acme.author, title="Forklift", category="made-up")
        assert error.value.fields == {"category": ["Unknown category."]}
        assert not Course.objects.exists()
        cast = make_cast(acme, category="product")
        with pytest.raises(Invalid):
            course_update(actor=cast.owner, course=cast.course, category="made-up")
        assert cast.reload().category == "product"


def test_an_author_cannot_move_a_compliance_course_to_a_self_publish_category(acme):
    with acme.scope():
        cast = make_cast(acme, category="compliance")
        with pytest.raises(Forbidden):
            course_update(actor=cast.owner, course=cast.course, category="tools-tips")
        assert cast.reload().category == "compliance"
        with pytest.raises(Forbidden):
            course_update(actor=cast.owner, course=cast.course, category="")
        # Between categories that both require approval: allowed.
        course_update(actor=cast.owner, course=cast.course, category="safety")
        assert cast.reload().category == "safety"
        # L&D may.
        course_update(actor=acme.reviewer, course=cast.reload(), category="tools-tips")
        assert cast.reload().category == "tools-tips"
        # Into a category that requires approval: anyone who edits the course.
        course_update(actor=cast.owner, course=cast.reload(), category="compliance")
        assert cast.reload().category == "compliance"


def test_the_settings_form_offers_the_tenants_categories_and_keeps_an_old_one(acme):
    with acme.scope():
        cast = make_cast(acme, category="product")
        Course.objects.filter(pk=cast.course.pk).update(category="engineering")
    html = acme.client_for(cast.owner).get(f"/courses/{cast.course.uuid}/").content.decode()
    assert '<option value="compliance">' in html
    assert '<option value="soft-skills">' in html
    assert '<option value="engineering" selected>' in html
