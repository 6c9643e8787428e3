"""Review comments: threads anchored to the course, a page or a block, with replies and mentions.

Who takes part: the tenant's reviewers (COURSE_REVIEW) and the course's authors (its owner and
co-authors, with COURSE_SUBMIT). A member without either capability is refused (403); a course
or comment they may not see — another tenant's included — is answered 404.

A new comment is checked against the review's pinned revision: its page and block must be in
that document. Later the draft may lose the page or block; the thread then stays listed with
`anchor_missing`, shown on its page or, when the page is gone too, on the course.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.access import parse_uuid
from authoring.models import Course, Page, Revision
from authoring.sanitize import sanitize_plain_text
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from reviews import notifications
from reviews.models import Comment, CommentAnchor, CommentStatus, ReviewRequest, ReviewStatus
from reviews.services import is_course_author
from tenants.models import Membership, MembershipStatus
from tenants.permissions import Capability, has_capability, require_capability
from tenants.services.audit import audit_record

__all__ = [
    "BODY_MAX",
    "CommentThread",
    "comment_add",
    "comment_edit",
    "comment_for_actor",
    "comment_reopen",
    "comment_reply",
    "comment_resolve",
    "comments_for_course",
    "comments_for_review",
    "parse_mentions",
]

BODY_MAX = 5_000
MENTIONS_MAX = 20
_MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


# --- access -----------------------------------------------------------------------------------


def _require_participant(actor: Membership, course: Course) -> None:
    """Reviewers and the course's authors; 403 without a role, 404 for anyone else."""
    if has_capability(actor, Capability.COURSE_REVIEW):
        return
    require_capability(actor, Capability.COURSE_SUBMIT)
    if not is_course_author(actor, course):
        raise NotFound(_("Not found."))


def comment_for_actor(*, actor: Membership, comment_uuid: Any) -> Comment:
    """One comment the actor may see (with its course); NotFound otherwise."""
    if not has_capability(actor, Capability.COURSE_REVIEW):
        require_capability(actor, Capability.COURSE_SUBMIT)
    comment = (
        Comment.objects.select_related("course", "review", "parent")
        .filter(uuid=parse_uuid(comment_uuid))
        .first()
    )
    if comment is None:
        raise NotFound(_("Not found."))
    _require_participant(actor, comment.course)
    return comment


# --- helpers ----------------------------------------------------------------------------------


def _clean_body(body: Any) -> str:
    text = sanitize_plain_text(str(body or ""), multiline=True)
    if not text.strip():
        raise Invalid(_("Write a comment."), fields={"body": [_("This field is required.")]})
    if len(text) > BODY_MAX:
        raise Invalid(
            _("A comment is at most %(max)s characters.") % {"max": BODY_MAX},
            fields={"body": [_("Shorten the comment.")]},
        )
    return text


def parse_mentions(body: str) -> list[str]:
    """Uuids of the tenant's active members named as `@email` in the body, in order."""
    emails: list[str] = []
    for match in _MENTION.finditer(body):
        email = match.group(1).rstrip(".").lower()
        if email not in emails:
            emails.append(email)
    emails = emails[:MENTIONS_MAX]
    if not emails:
        return []
    condition = Q()
    for email in emails:
        condition |= Q(user__email__iexact=email)
    found = {
        str(email).lower(): str(key)
        for key, email in Membership.objects.filter(
            condition, status=MembershipStatus.ACTIVE
        ).values_list("uuid", "user__email")
    }
    return [found[email] for email in emails if email in found]


def _find_page(document: dict[str, Any], page_key: str) -> dict[str, Any] | None:
    for section in document.get("sections") or []:
        for page in section.get("pages") or []:
            if str(page.get("id")) == page_key:
                return dict(page)
    return None


def _check_anchor(
    review: ReviewRequest, anchor: str, page_uuid: Any, block_id: Any
) -> tuple[uuid.UUID | None, str]:
    """The anchor's page uuid and block id, checked against the pinned revision; Invalid else."""
    if anchor not in CommentAnchor.values:
        raise Invalid(
            _("Anchor a comment to the course, a page or a block."),
            fields={"anchor": [_("Choose course, page or block.")]},
        )
    if anchor == CommentAnchor.COURSE:
        return None, ""
    try:
        page_key = uuid.UUID(str(page_uuid)) if page_uuid else None
    except ValueError:
        page_key = None
    if page_key is None:
        raise Invalid(
            _("Name the page the comment is about."),
            fields={"page_uuid": [_("This field is required.")]},
        )
    page = _find_page(review.revision.document, str(page_key))
    if page is None:
        raise Invalid(
            _("That page is not in the version under review (version %(number)s).")
            % {"number": review.revision.number},
            fields={"page_uuid": [_("Choose a page of the version under review.")]},
        )
    if anchor == CommentAnchor.PAGE:
        return page_key, ""
    block_key = str(block_id or "").strip()
    if not block_key:
        raise Invalid(
            _("Name the block the comment is about."),
            fields={"block_id": [_("This field is required.")]},
        )
    if block_key not in {str(block.get("id")) for block in page.get("blocks") or []}:
        raise Invalid(
            _(
                "That block is not on this page in the version under review (version "
                "%(number)s); it may have been deleted. Comment on the page instead."
            )
            % {"number": review.revision.number},
            fields={"block_id": [_("Choose a block of the version under review.")]},
        )
    return page_key, block_key


def _thread_root(comment: Comment) -> Comment:
    return comment.parent if comment.parent_id is not None and comment.parent else comment


# --- services ---------------------------------------------------------------------------------


def comment_add(
    *,
    actor: Membership,
    review: ReviewRequest,
    anchor: str,
    page_uuid: Any = None,
    block_id: Any = None,
    body: str,
    parent: Comment | None = None,
) -> Comment:
    """A new thread on an open review (or, with `parent`, a reply to a thread)."""
    _require_participant(actor, review.course)
    if parent is not None:
        return comment_reply(actor=actor, comment=parent, body=body)
    if review.status != ReviewStatus.OPEN:
        raise Conflict(
            _("This review round is closed (%(status)s); comment on the current round.")
            % {"status": ReviewStatus(review.status).label}
        )
    page_key, block_key = _check_anchor(review, anchor, page_uuid, block_id)
    text = _clean_body(body)
    with transaction.atomic():
        comment = Comment.objects.create(
            course=review.course,
            review=review,
            anchor=anchor,
            page_uuid=page_key,
            block_id=block_key,
            author=actor,
            body=text,
            mentions=parse_mentions(text),
        )
        audit_record(
            actor=actor,
            verb="review_comment.added",
            target=comment,
            review=str(review.uuid),
            anchor=anchor,
            mentions=comment.mentions,
        )
        transaction.on_commit(lambda: notifications.notify_comment(comment), robust=True)
    return comment


def comment_reply(*, actor: Membership, comment: Comment, body: str) -> Comment:
    """A reply to a thread (one level: a reply to a reply joins the same thread)."""
    _require_participant(actor, comment.course)
    root = _thread_root(comment)
    text = _clean_body(body)
    with transaction.atomic():
        reply = Comment.objects.create(
            course=root.course,
            review=root.review,
            anchor=root.anchor,
            page_uuid=root.page_uuid,
            block_id=root.block_id,
            parent=root,
            author=actor,
            body=text,
            mentions=parse_mentions(text),
        )
        audit_record(
            actor=actor,
            verb="review_comment.replied",
            target=reply,
            thread=str(root.uuid),
            mentions=reply.mentions,
        )
        transaction.on_commit(lambda: notifications.notify_comment(reply), robust=True)
    return reply


def _set_status(*, actor: Membership, comment: Comment, status: str, verb: str) -> Comment:
    _require_participant(actor, comment.course)
    if comment.parent_id is not None:
        raise Invalid(_("Resolve or reopen the thread, not a reply."))
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status == status:
            raise Conflict(
                _("This thread is already %(status)s.")
                % {"status": CommentStatus(status).label.lower()}
            )
        locked.status = status
        if status == CommentStatus.RESOLVED:
            locked.resolved_by, locked.resolved_at = actor, timezone.now()
        else:
            locked.resolved_by, locked.resolved_at = None, None
        locked.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit_record(actor=actor, verb=verb, target=locked)
    return locked


def comment_resolve(*, actor: Membership, comment: Comment) -> Comment:
    """Mark a thread resolved (authors and reviewers); Conflict when it already is."""
    return _set_status(
        actor=actor, comment=comment, status=CommentStatus.RESOLVED, verb="review_comment.resolved"
    )


def comment_reopen(*, actor: Membership, comment: Comment) -> Comment:
    """Open a resolved thread again; Conflict when it is open."""
    return _set_status(
        actor=actor, comment=comment, status=CommentStatus.OPEN, verb="review_comment.reopened"
    )


def comment_edit(*, actor: Membership, comment: Comment, body: str) -> Comment:
    """Change the text of one's own comment; Forbidden for anyone else's."""
    _require_participant(actor, comment.course)
    if comment.author_id != actor.pk:
        raise Forbidden(_("You can only edit your own comments."))
    text = _clean_body(body)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        locked.body = text
        locked.mentions = parse_mentions(text)
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "mentions", "edited_at"])
        audit_record(actor=actor, verb="review_comment.edited", target=locked)
    return locked


# --- selectors --------------------------------------------------------------------------------


@dataclass
class CommentThread:
    """A top-level comment, its replies, and where it shows in the draft (or a revision)."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    anchor_missing: bool = False
    # The page it shows on now: its own page while that page exists, else None (the course).
    shown_on_page: uuid.UUID | None = None
    # Its block differs now from the block in the revision the comment was made on.
    block_changed: bool = False
    # Started in an earlier round and still open (listed with a later round).
    carried_over: bool = False


def _blocks_by_page(pages: Any) -> dict[str, dict[str, Any]]:
    """{page uuid: {block id: block}} from (uuid, blocks) pairs."""
    return {
        str(key): {str(block.get("id")): block for block in blocks or [] if isinstance(block, dict)}
        for key, blocks in pages
    }


def _document_pages(document: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [
        (str(page.get("id")), page.get("blocks") or [])
        for section in document.get("sections") or []
        for page in section.get("pages") or []
    ]


def _content(block: Mapping[str, Any] | None) -> Any:
    """What a reader sees of a block: its type and data (its version counter is bookkeeping)."""
    if block is None:
        return None
    return (block.get("type"), block.get("data"))


def _threads(
    comments: QuerySet[Comment],
    course: Course,
    *,
    against: Mapping[str, Any] | None = None,
    round_number: int | None = None,
) -> list[CommentThread]:
    """Threads with replies and anchor flags, measured against the draft or `against` (a course
    document); four queries, however many comments."""
    roots = list(
        comments.filter(parent__isnull=True)
        .select_related("author__user", "resolved_by__user", "review")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.select_related(
                    "author__user", "resolved_by__user", "review"
                ).order_by("created_at", "id"),
            )
        )
        .order_by("created_at", "id")
    )
    if against is not None:
        pages = _blocks_by_page(_document_pages(against))
    else:
        pages = _blocks_by_page(
            Page.objects.filter(section__course=course).values_list("uuid", "blocks")
        )
    # The block each block comment was made on, from its round's pinned revision.
    revision_ids = {
        root.review.revision_id
        for root in roots
        if root.anchor == CommentAnchor.BLOCK and root.review is not None
    }
    originals = {
        pk: _blocks_by_page(_document_pages(document))
        for pk, document in Revision.objects.filter(pk__in=revision_ids).values_list(
            "pk", "document"
        )
    }
    threads = []
    for root in roots:
        page_blocks = pages.get(str(root.page_uuid)) if root.page_uuid else None
        if root.anchor == CommentAnchor.COURSE:
            missing = False
        elif page_blocks is None:
            missing = True
        else:
            missing = root.anchor == CommentAnchor.BLOCK and root.block_id not in page_blocks
        changed = False
        if root.anchor == CommentAnchor.BLOCK and not missing and root.review is not None:
            original_page = originals.get(root.review.revision_id, {}).get(str(root.page_uuid))
            original = (original_page or {}).get(root.block_id)
            changed = original is not None and _content(original) != _content(
                (page_blocks or {}).get(root.block_id)
            )
        threads.append(
            CommentThread(
                comment=root,
                replies=list(root.replies.all()),
                anchor_missing=missing,
                shown_on_page=root.page_uuid if page_blocks is not None else None,
                block_changed=changed,
                carried_over=(
                    round_number is not None
                    and root.review is not None
                    and root.review.round < round_number
                ),
            )
        )
    return threads


def comments_for_course(*, actor: Membership, course: Course) -> list[CommentThread]:
    """Every thread on the course, of every round, flagged against the current draft."""
    _require_participant(actor, course)
    return _threads(Comment.objects.filter(course=course), course)


def comments_for_review(*, actor: Membership, review: ReviewRequest) -> list[CommentThread]:
    """The threads of one review round: those started in it, and the open ones carried over
    from earlier rounds, flagged against the round's pinned revision."""
    _require_participant(actor, review.course)
    return round_threads(review)


def round_threads(review: ReviewRequest) -> list[CommentThread]:
    """A round's threads without an access check: for callers that checked access their own
    way (an external reviewer's link, reviews.external)."""
    comments = Comment.objects.filter(
        Q(review=review)
        | Q(
            course_id=review.course_id,
            review__round__lt=review.round,
            status=CommentStatus.OPEN,
        )
    )
    return _threads(
        comments, review.course, against=review.revision.document, round_number=review.round
    )
