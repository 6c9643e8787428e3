"""`{% rating_panel course %}`: the signed-in member's rating form for a course, for the
catalog's course page and the player's results page (their views stay unchanged)."""

from __future__ import annotations

from typing import Any

from django import template

from authoring.models import Course
from courses import recognition
from courses.views.recognition import rating_form_for

register = template.Library()


@register.inclusion_tag("courses/recognition/_rating_form.html", takes_context=True)
def rating_panel(context: template.Context, course: Course) -> dict[str, Any]:
    request = context.get("request")
    actor = getattr(request, "membership", None)
    if request is None or actor is None or course is None:
        return {"state": None}
    state = recognition.rating_state(actor=actor, course=course)
    return {
        "state": state,
        "form": rating_form_for(state),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
