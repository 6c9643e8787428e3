"""Rule 7: a new release never loses learners' work.

    enrollment = enrollment_follow_release(enrollment, catalog_entry.live_release)

Called by the player when a learner opens a course whose live release is not the one their
enrolment is on (a newer release, or a rollback to an earlier one):

- completed enrolments stay completed, on the release they completed;
- everyone else moves to the live release. Progress rows are keyed by the document's stable
  page ids, so they carry over as they are; pages the new release no longer has simply drop
  out of the count (they never block completion); the resume point is kept when its page
  still exists, cleared otherwise;
- an attempt at a quiz that is still open stays on its own release (`Attempt.release`) and
  is graded against it, so nothing already answered is lost;
- progress % and completion are recomputed on the new release: a learner who had done
  every page that is left completes now.
"""

from __future__ import annotations

from django.db import transaction

from courses.models import Enrollment, EnrollmentStatus, Release
from courses.player import document_page, progress_refresh

__all__ = ["enrollment_follow_release"]


@transaction.atomic
def enrollment_follow_release(enrollment: Enrollment, release: Release) -> Enrollment:
    """Move an in-progress enrolment to `release` (same course); returns it, refreshed."""
    if release.course_id != enrollment.course_id:
        raise ValueError("a release of another course")
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release")
        .get(pk=enrollment.pk)
    )
    if locked.status == EnrollmentStatus.COMPLETED or locked.release_id == release.pk:
        return locked
    locked.release = release
    fields = ["release"]
    if locked.last_page_id and document_page(release.document, locked.last_page_id) is None:
        locked.last_page_id = ""
        fields.append("last_page_id")
    locked.save(update_fields=fields)
    progress_refresh(locked)
    locked.refresh_from_db()
    return Enrollment.objects.select_related("release", "course").get(pk=locked.pk)
