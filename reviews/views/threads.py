"""Comment threads as HTML: the actions (add, reply, resolve, reopen) and the editor's fragment.

One thread partial (`templates/reviews/_thread.html`) serves review mode, the external
reviewer's page and the page editor. What a person may do there comes from the viewer
(reviews.viewer.ReviewViewer); where the forms post comes from the context's `urls`
(ThreadUrls), so the external view reuses the templates with its own endpoints.

Every action is a POST with CSRF. An htmx request gets the re-rendered fragment (the thread,
or the anchor's thread list after adding); a plain POST is redirected back to `next`. A refusal
(Invalid 400, Conflict 409) changes nothing and answers the same fragment with the message and
the typed text kept (a plain POST: the page again, with the message).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from authoring.access import page_for_edit
from authoring.blocks import UnknownBlockType, get_block_type
from authoring.views.common import actor_of, back, error_message
from egl_platform.errors import DomainError, NotFound
from reviews import comments as svc
from reviews.models import Comment, CommentAnchor, CommentStatus, ReviewRequest
from reviews.selectors import review_for_actor
from reviews.services import is_course_author
from reviews.viewer import ReviewViewer
from tenants.decorators import capability_required
from tenants.models import Membership
from tenants.permissions import Capability, has_capability

__all__ = [
    "FormError",
    "ThreadUrls",
    "anchor_key",
    "decorate",
    "editor_threads",
    "member_urls",
    "mention_parts",
    "threads_by_anchor",
]

T = "reviews/"
_PLACEHOLDER = uuid.UUID(int=0)
# The same shape reviews.comments recognises as a mention: `@name@example.org`.
_MENTION = re.compile(r"(?<![\w.])@[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


# --- what the templates get -----------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadUrls:
    """Where the thread forms post. `thread_base` + `<comment uuid>/replies/` (or `resolve/`,
    `reopen/`) names one thread's actions; `add` starts a thread ("" where none may start)."""

    add: str
    thread_base: str


@dataclass
class FormError:
    """A refused form shown again: which form (`key`), the message, and the typed text."""

    key: str
    message: str
    body: str = ""
    status: int = 400

    @property
    def is_reply(self) -> bool:
        return self.key.startswith("reply-")


@dataclass
class AnchorThreads:
    """The threads of one anchor (a block, a page or the course), open ones first."""

    key: str
    open: list[svc.CommentThread] = field(default_factory=list)
    resolved: list[svc.CommentThread] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.open) + len(self.resolved)


def _base_of(name: str, **kwargs: Any) -> str:
    url = reverse(name, kwargs={**kwargs, "comment_uuid": _PLACEHOLDER})
    return url.split(str(_PLACEHOLDER))[0]


def member_urls(review: ReviewRequest | None) -> ThreadUrls:
    """The members' endpoints; `review` None (the editor): no new threads."""
    add = reverse("reviews:comment-add", kwargs={"review_uuid": review.uuid}) if review else ""
    return ThreadUrls(add=add, thread_base=_base_of("reviews:comment-reply"))


def mention_parts(body: str) -> list[tuple[str, bool]]:
    """The body cut into (text, is_mention) pieces, so templates mark `@email` up escaped."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _MENTION.finditer(body):
        if match.start() > last:
            parts.append((body[last : match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    if last < len(body):
        parts.append((body[last:], False))
    return parts


def _writer(comment: Comment) -> str:
    if comment.author_id is not None and comment.author is not None:
        return comment.author.user.name
    return comment.external_name or _("Someone")


def decorate(threads: Iterable[svc.CommentThread]) -> list[svc.CommentThread]:
    """Give each comment its body pieces and writer's name (no queries: all is loaded)."""
    threads = list(threads)
    for thread in threads:
        for comment in (thread.comment, *thread.replies):
            comment.body_parts = mention_parts(comment.body)  # type: ignore[attr-defined]
            comment.writer = _writer(comment)  # type: ignore[attr-defined]
            comment.is_external = comment.author_id is None and bool(comment.external_name)  # type: ignore[attr-defined]
    return threads


def anchor_key(thread: svc.CommentThread) -> str:
    """Where a thread shows: `block-<id>`, `page-<uuid>` (its page, or its removed block's), or
    `course` (a course comment, or one whose page is gone)."""
    comment = thread.comment
    if comment.anchor == CommentAnchor.COURSE or thread.shown_on_page is None:
        return "course"
    if comment.anchor == CommentAnchor.BLOCK and not thread.anchor_missing:
        return f"block-{comment.block_id}"
    return f"page-{thread.shown_on_page}"


def threads_by_anchor(threads: Iterable[svc.CommentThread]) -> dict[str, AnchorThreads]:
    grouped: dict[str, AnchorThreads] = {}
    for thread in threads:
        key = anchor_key(thread)
        group = grouped.setdefault(key, AnchorThreads(key=key))
        if thread.comment.status == CommentStatus.OPEN:
            group.open.append(thread)
        else:
            group.resolved.append(thread)
    return grouped


def block_label(block: dict[str, Any]) -> str:
    try:
        return str(get_block_type(str(block.get("type"))).label)
    except UnknownBlockType:
        return str(block.get("type") or "")


def viewer_in_course(membership: Membership, course: Any) -> ReviewViewer:
    """A member looking at a course's threads outside a round (the editor)."""
    return ReviewViewer(
        membership=membership,
        is_author=is_course_author(membership, course),
        is_reviewer=has_capability(membership, Capability.COURSE_REVIEW),
    )


def _fragment(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# --- the threads a form came from -----------------------------------------------------------------


def _where(request: HttpRequest) -> ReviewRequest | None:
    """The round the form was shown in (review mode), or None (the editor)."""
    value = request.POST.get("in_review", "")
    if not value:
        return None
    return review_for_actor(actor=actor_of(request), review_uuid=value)


def _threads_where(
    actor: Membership, review: ReviewRequest | None, course: Any
) -> list[svc.CommentThread]:
    if review is not None:
        return svc.comments_for_review(actor=actor, review=review)
    return svc.comments_for_course(actor=actor, course=course)


def _thread_context(
    request: HttpRequest, comment: Comment, review: ReviewRequest | None
) -> dict[str, Any]:
    actor = actor_of(request)
    threads = _threads_where(actor, review, comment.course)
    root_pk = comment.parent_id or comment.pk
    thread = next((t for t in threads if t.comment.pk == root_pk), None)
    if thread is None:  # a resolved thread of an earlier round: the course's list has it
        threads = svc.comments_for_course(actor=actor, course=comment.course)
        thread = next((t for t in threads if t.comment.pk == root_pk), None)
    if thread is None:
        raise NotFound(_("Not found."))
    viewer = (
        ReviewViewer.for_member(actor, review)
        if review is not None
        else viewer_in_course(actor, comment.course)
    )
    return {
        "thread": decorate([thread])[0],
        "viewer": viewer,
        "urls": member_urls(review),
        "review": review,
        "in_review": str(review.uuid) if review is not None else "",
        "next_url": request.POST.get("next", "").split("#")[0],
        "editor": review is None,
    }


def _review_url(review: ReviewRequest, page: Any = None, fragment: str = "") -> str:
    url = reverse("reviews:review", kwargs={"review_uuid": review.uuid})
    if page:
        url += f"?page={page}"
    return url + (f"#{fragment}" if fragment else "")


# --- actions --------------------------------------------------------------------------------------


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def comment_add(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    """Start a thread on the course, a page or a block of the round's pinned revision."""
    actor = actor_of(request)
    review = review_for_actor(actor=actor, review_uuid=review_uuid)
    anchor = request.POST.get("anchor", "")
    page_uuid = request.POST.get("page_uuid") or None
    block_id = request.POST.get("block_id") or None
    body = request.POST.get("body", "")
    key = request.POST.get("key", "") or "course"
    error: FormError | None = None
    comment = None
    try:
        comment = svc.comment_add(
            actor=actor,
            review=review,
            anchor=anchor,
            page_uuid=page_uuid,
            block_id=block_id,
            body=body,
        )
    except DomainError as refused:
        error = FormError(key=key, message=error_message(refused), body=body, status=refused.status)
    if is_htmx(request):
        from reviews.views.review import anchor_fragment_context  # review imports this module

        context = anchor_fragment_context(request, review, key=key, page_uuid=page_uuid)
        context["form_error"] = error
        if comment is not None:
            context["status_message"] = _("Comment added.")
            context["focus_uuid"] = str(comment.uuid)
        return _fragment(
            request, T + "_threads_for_block.html", context, status=error.status if error else 200
        )
    if error is not None:
        from reviews.views.review import render_review  # review imports this module

        return render_review(request, review, page_uuid=page_uuid, form_error=error)
    messages.success(request, _("Comment added."))
    assert comment is not None
    return back(request, _review_url(review, page_uuid, f"thread-{comment.uuid}"))


def _thread_action(request: HttpRequest, comment_uuid: Any, action: str) -> HttpResponse:
    actor = actor_of(request)
    comment = svc.comment_for_actor(actor=actor, comment_uuid=comment_uuid)
    review = _where(request)
    if review is not None and review.course_id != comment.course_id:
        raise NotFound(_("Not found."))
    body = request.POST.get("body", "")
    error: FormError | None = None
    done = ""
    try:
        if action == "reply":
            svc.comment_reply(actor=actor, comment=comment, body=body)
            done = _("Reply added.")
        elif action == "resolve":
            svc.comment_resolve(actor=actor, comment=comment)
            done = _("Thread resolved.")
        else:
            svc.comment_reopen(actor=actor, comment=comment)
            done = _("Thread reopened.")
    except DomainError as refused:
        root = comment.parent.uuid if comment.parent_id and comment.parent else comment.uuid
        error = FormError(
            key=f"{action}-{root}", message=error_message(refused), body=body, status=refused.status
        )
    fallback = (
        _review_url(review)
        if review is not None
        else reverse("authoring:course-edit", kwargs={"course_uuid": comment.course.uuid})
    )
    if is_htmx(request):
        context = _thread_context(request, comment, review)
        context["thread_error"] = error
        context["status_message"] = "" if error else done
        context["focus_thread"] = True
        return _fragment(
            request, T + "_thread.html", context, status=error.status if error else 200
        )
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return back(request, fallback)


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def comment_reply(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """Reply to a thread."""
    return _thread_action(request, comment_uuid, "reply")


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def comment_resolve(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """Mark a thread resolved (the course's authors and reviewers)."""
    return _thread_action(request, comment_uuid, "resolve")


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def comment_reopen(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """Open a resolved thread again."""
    return _thread_action(request, comment_uuid, "reopen")


# --- the editor -----------------------------------------------------------------------------------


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def editor_threads(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """The threads of one page of the draft, per block, for the page editor (an htmx fragment).

    Threads whose block was deleted from the draft come first, marked "This block was
    removed"; a thread whose block changed since the comment carries "changed since".
    """
    actor = actor_of(request)
    page = page_for_edit(actor=actor, page_uuid=page_uuid)
    course = page.section.course
    if str(course.uuid) != str(course_uuid):
        raise NotFound(_("Not found."))
    threads = [
        t
        for t in decorate(svc.comments_for_course(actor=actor, course=course))
        if t.shown_on_page is not None and str(t.shown_on_page) == str(page.uuid)
    ]
    grouped = threads_by_anchor(threads)
    blocks = [
        {"id": str(block.get("id")), "label": block_label(block), "number": index}
        for index, block in enumerate(page.blocks or [], start=1)
        if isinstance(block, dict)
    ]
    block_groups = [
        {"block": block, "group": grouped[f"block-{block['id']}"]}
        for block in blocks
        if f"block-{block['id']}" in grouped
    ]
    context = {
        "course": course,
        "page": page,
        "page_group": grouped.get(f"page-{page.uuid}"),
        "block_groups": block_groups,
        "viewer": viewer_in_course(actor, course),
        "urls": member_urls(None),
        "in_review": "",
        "next_url": reverse(
            "authoring:page-edit", kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid}
        ),
        "open_count": sum(len(g.open) for g in grouped.values()),
    }
    return _fragment(request, T + "editor_threads.html", context)
