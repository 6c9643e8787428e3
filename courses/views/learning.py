"""My learning: the member's courses — overdue, assigned, in progress and completed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from authoring.views.common import actor_of, optional_url
from courses.certificates import certificates_of
from courses.enrolments import my_learning
from courses.models import EnrollmentStatus
from tenants.decorators import capability_required
from tenants.permissions import Capability


@require_GET
@capability_required(Capability.COURSE_TAKE)
def learning_list(request: HttpRequest) -> HttpResponse:
    learning = my_learning(actor=actor_of(request))
    certificates = dict(
        certificates_of(actor=actor_of(request)).values_list("enrollment_id", "uuid")
    )
    sections = [
        ("overdue", learning.overdue),
        ("assigned", learning.assigned),
        ("in_progress", learning.in_progress),
        ("completed", learning.completed),
    ]
    rows = {
        name: [
            {
                "item": item,
                "course_url": optional_url(
                    "catalog:course", course_uuid=item.enrollment.course.uuid
                ),
                "player_url": optional_url(
                    "player:resume", course_uuid=item.enrollment.course.uuid
                ),
                "certificate_url": optional_url(
                    "certificates:download", certificate_uuid=certificates[item.enrollment.pk]
                )
                if item.enrollment.pk in certificates
                else "",
            }
            for item in items
        ]
        for name, items in sections
    }
    return render(
        request,
        "courses/learning/list.html",
        {
            "learning": learning,
            "rows": rows,
            "counts": learning.counts(),
            "statuses": EnrollmentStatus,
        },
    )
