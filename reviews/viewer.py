"""Who is looking at a review round: a member, or an outside expert through a link.

Review mode, the external reviewer's view and the editor's threads render the same templates;
the viewer says what this person may do there.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviews.models import ExternalReviewLink, ReviewRequest
from reviews.services import is_course_author
from tenants.models import Membership
from tenants.permissions import Capability, has_capability


@dataclass(frozen=True)
class ReviewViewer:
    membership: Membership | None = None
    external_link: ExternalReviewLink | None = None
    is_author: bool = False
    is_reviewer: bool = False

    @classmethod
    def for_member(cls, membership: Membership, review: ReviewRequest) -> ReviewViewer:
        return cls(
            membership=membership,
            is_author=is_course_author(membership, review.course),
            is_reviewer=has_capability(membership, Capability.COURSE_REVIEW),
        )

    @classmethod
    def for_external(cls, link: ExternalReviewLink) -> ReviewViewer:
        return cls(external_link=link)

    @property
    def is_external(self) -> bool:
        return self.external_link is not None

    @property
    def can_comment(self) -> bool:
        return self.is_external or self.is_author or self.is_reviewer

    @property
    def can_resolve(self) -> bool:
        """Members taking part resolve and reopen threads; outside experts only comment."""
        return not self.is_external and (self.is_author or self.is_reviewer)

    @property
    def can_decide(self) -> bool:
        """Reviewers decide, never an author of the course under review."""
        return not self.is_external and self.is_reviewer and not self.is_author

    @property
    def display_name(self) -> str:
        if self.external_link is not None:
            return self.external_link.name
        return self.membership.user.name if self.membership is not None else ""
