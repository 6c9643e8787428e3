"""`manage.py seed_demo_reviews`: move the demo courses along the review flow (DESIGN.md §12).

`seed_demo_courses` creates the sample courses as drafts; this command takes two of them
through the real review services, so the demo has one course in review (with a reviewer's
comment on a block) and one published after approval, with the rounds, decisions and
revisions that flow leaves. A course that has any review round already, or is no longer a
draft, is left alone: a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, no_translations
from django.db import transaction

from authoring.models import Course, CourseStatus
from egl_platform.errors import DomainError, Forbidden, NotFound
from reviews import services
from reviews.comments import comment_add
from reviews.models import CommentAnchor, ReviewRequest
from tenants.models import Membership, MembershipStatus, Tenant
from tenants.tenancy import tenant_scope

RELEASES_COMMAND = "seed_demo_releases"


@dataclass(frozen=True)
class DemoFlow:
    tenant: str
    slug: str
    target: CourseStatus  # IN_REVIEW or PUBLISHED
    author: str
    reviewer: str
    message: str
    comment: str = ""  # on the first block of the first page, left open


DEMO_FLOWS = (
    DemoFlow(
        tenant="acme",
        slug="demo-heftruck",
        target=CourseStatus.PUBLISHED,
        author="author@acme.test",
        reviewer="reviewer@acme.test",
        message="Veiligheidscursus voor alle magazijnmedewerkers; graag jullie akkoord.",
    ),
    DemoFlow(
        tenant="acme",
        slug="demo-complaint-call",
        target=CourseStatus.IN_REVIEW,
        author="author@acme.test",
        reviewer="reviewer@acme.test",
        message="First version for the service desk. The role-play page is new: is it clear?",
        comment="Could you open with a real example of a call that went well? Learners will "
        "recognise themselves sooner.",
    ),
)


class Command(BaseCommand):
    help = (
        "Take the demo courses through the review flow: one in review with a comment, one "
        "approved and published. Run after seed_demo_courses (seed_demo runs both). Safe to "
        "run again."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        done: list[str] = []
        skipped: list[str] = []
        for flow in DEMO_FLOWS:
            tenant = Tenant.objects.filter(slug=flow.tenant, is_active=True).first()
            if tenant is None:
                continue  # seed_demo_courses already said so
            with tenant_scope(tenant):
                course = Course.objects.filter(slug=flow.slug).first()
                if course is None or course.status != CourseStatus.DRAFT:
                    continue
                if ReviewRequest.objects.filter(course=course).exists():
                    continue
                try:
                    with transaction.atomic():
                        self._run(flow, course)
                except (DomainError, Forbidden, NotFound, LookupError) as error:
                    skipped.append(f"{flow.slug}: {' '.join(str(error).split())}")
                    continue
                done.append(f"review flow {flow.tenant}/{flow.slug}: {flow.target}")
        if options["verbosity"] >= 2:
            for line in done:
                self.stdout.write(f"  + {line}")
        for line in skipped:
            self.stderr.write(f"  ! {line}")
        if done:
            self.stdout.write(self.style.SUCCESS(f"Demo review flows: {len(done)} run."))
        # A published course has a release (courses app), stored by name: reviews never
        # imports courses.
        if RELEASES_COMMAND in get_commands():
            call_command(
                RELEASES_COMMAND,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def _run(self, flow: DemoFlow, course: Course) -> None:
        author, reviewer = _member(flow.author), _member(flow.reviewer)
        review = services.review_submit(actor=author, course=course, message=flow.message)
        if flow.comment:
            page = review.revision.document["sections"][0]["pages"][0]
            comment_add(
                actor=reviewer,
                review=review,
                anchor=CommentAnchor.BLOCK,
                page_uuid=page["id"],
                block_id=page["blocks"][0]["id"],
                body=flow.comment,
            )
        if flow.target == CourseStatus.PUBLISHED:
            services.review_approve(
                actor=reviewer, review=review, revision_number=review.revision.number
            )
            services.course_mark_published(actor=reviewer, course=Course.objects.get(pk=course.pk))


def _member(email: str) -> Membership:
    member = (
        Membership.objects.filter(user__email=email, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .first()
    )
    if member is None:
        raise LookupError(f"no active member {email} (run seed_demo)")
    return member
