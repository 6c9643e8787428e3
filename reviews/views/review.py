"""Review mode: a round's pinned revision as the learner sees it, with threads and decisions.

    /reviews/<review_uuid>/[?page=<page uuid>]   the page, its blocks and their threads
    /reviews/<review_uuid>/changes/              what changed since the last reviewed round
    /reviews/<review_uuid>/decision/             POST approve / request changes / reject

Reviewers and the course's authors open it (reviews.selectors.review_for_actor: anyone else
404, learners 403). Only a reviewer who is not an author of the course decides
(ReviewViewer.can_decide); the decision names the pinned revision, so a decision made on a
page that went stale is refused (409) and changes nothing.

The page is a fixed number of queries however many comments the round has: the threads come
in one go (reviews.comments), the blocks render from the revision's JSON.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from authoring.rendering import asset_infos, page_asset_ids, render_block
from authoring.views.common import actor_of, error_message
from egl_platform.errors import DomainError, Invalid
from reviews import comments as svc
from reviews import services
from reviews.diff import review_diff
from reviews.models import (
    CommentStatus,
    Decision,
    DecisionKind,
    RequestedReviewer,
    ReviewRequest,
    ReviewStatus,
)
from reviews.selectors import review_for_actor
from reviews.viewer import ReviewViewer
from reviews.views.external_links import external_links_context
from reviews.views.threads import (
    FormError,
    ThreadUrls,
    block_label,
    decorate,
    member_urls,
    threads_by_anchor,
)
from tenants.decorators import capability_required
from tenants.permissions import Capability

__all__ = [
    "anchor_fragment_context",
    "render_review",
    "review_changes",
    "review_decide",
    "review_page",
    "review_page_context",
]

T = "reviews/review/"

DECISIONS = {
    DecisionKind.APPROVE: "approve",
    DecisionKind.REQUEST_CHANGES: "request_changes",
    DecisionKind.REJECT: "reject",
}


# --- the pinned document --------------------------------------------------------------------------


def document_pages(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a course document with its section, in order."""
    pages = []
    for section in document.get("sections") or []:
        for page in section.get("pages") or []:
            if isinstance(page, dict):
                pages.append({"section": section, "page": page})
    return pages


def _current(pages: list[dict[str, Any]], page_uuid: Any) -> int:
    if page_uuid:
        for index, entry in enumerate(pages):
            if str(entry["page"].get("id")) == str(page_uuid):
                return index
    return 0


def approvals_needed(review: ReviewRequest) -> int:
    """How many approvals close the round: the category's number, at least one."""
    category = services.category_for_course(review.course)
    if category is None or not category.approval_required:
        return 1
    return max(category.approvals_needed, 1)


def review_page_context(
    *,
    review: ReviewRequest,
    viewer: ReviewViewer,
    threads: list[svc.CommentThread],
    page_uuid: Any,
    urls: ThreadUrls,
    page_url: str,
    form_error: FormError | None = None,
) -> dict[str, Any]:
    """What templates/reviews/review/page.html needs, for a member or an outside expert.

    `page_url` is the page's own address (`?page=<uuid>` is appended for navigation).
    """
    document = review.revision.document if isinstance(review.revision.document, dict) else {}
    pages = document_pages(document)
    threads = decorate(threads)
    grouped = threads_by_anchor(threads)
    open_per_page: dict[str, int] = {}
    for thread in threads:
        if thread.comment.status == "open" and thread.shown_on_page is not None:
            key = str(thread.shown_on_page)
            open_per_page[key] = open_per_page.get(key, 0) + 1

    outline: list[dict[str, Any]] = []
    for entry in pages:
        section, page = entry["section"], entry["page"]
        if not outline or outline[-1]["id"] != section.get("id"):
            outline.append(
                {"id": section.get("id"), "title": section.get("title", ""), "pages": []}
            )
        outline[-1]["pages"].append(
            {
                "id": str(page.get("id")),
                "title": page.get("title", ""),
                "open": open_per_page.get(str(page.get("id")), 0),
                "url": f"{page_url}?page={page.get('id')}",
            }
        )

    context: dict[str, Any] = {
        "review": review,
        "course": review.course,
        "document_course": document.get("course") or {},
        "viewer": viewer,
        "urls": urls,
        "outline": outline,
        "form_error": form_error,
        "in_review": str(review.uuid),
        "can_add": viewer.can_comment and review.status == ReviewStatus.OPEN and bool(urls.add),
        "course_group": grouped.get("course"),
        "page_url": page_url,
    }
    if not pages:
        context.update(page=None, blocks=[], page_group=None, previous=None, next=None)
        if form_error is not None and form_error.key != "course":
            context["orphan_error"] = form_error
        return context
    index = _current(pages, page_uuid)
    current = pages[index]["page"]
    language = (document.get("course") or {}).get("language") or ""
    assets = asset_infos(page_asset_ids(current))
    blocks = []
    for number, block in enumerate(current.get("blocks") or [], start=1):
        if not isinstance(block, dict):
            continue
        key = f"block-{block.get('id')}"
        blocks.append(
            {
                "id": str(block.get("id")),
                "number": number,
                "label": block_label(block),
                "html": render_block(block, assets=assets, mode="preview"),
                "group": grouped.get(key),
                "key": key,
            }
        )
    context.update(
        page={
            "id": str(current.get("id")),
            "title": current.get("title", ""),
            "kind": current.get("kind", "content"),
            "section": pages[index]["section"].get("title", ""),
            "number": index + 1,
        },
        page_count=len(pages),
        language=language,
        blocks=blocks,
        page_group=grouped.get(f"page-{current.get('id')}"),
        page_key=f"page-{current.get('id')}",
        previous=outline_url(page_url, pages[index - 1]) if index > 0 else None,
        next=outline_url(page_url, pages[index + 1]) if index < len(pages) - 1 else None,
    )
    keys = {block["key"] for block in blocks} | {f"page-{current.get('id')}", "course"}
    if form_error is not None and form_error.key not in keys:
        context["orphan_error"] = form_error  # its form is not on this page: say it on top
    return context


def outline_url(page_url: str, entry: dict[str, Any]) -> dict[str, str]:
    return {
        "url": f"{page_url}?page={entry['page'].get('id')}",
        "title": entry["page"].get("title", ""),
    }


def _round_facts(review: ReviewRequest) -> dict[str, Any]:
    """Decisions, requested reviewers, approvals and the course's rounds: four queries."""
    decisions = list(
        Decision.objects.filter(review=review)
        .select_related("reviewer__user", "revision")
        .order_by("created_at", "id")
    )
    requested = [
        row.membership
        for row in RequestedReviewer.objects.filter(review=review)
        .select_related("membership__user")
        .order_by("id")
    ]
    rounds = list(
        ReviewRequest.objects.filter(course_id=review.course_id)
        .select_related("revision")
        .annotate(
            open_threads=Count(
                "comments",
                filter=Q(comments__parent__isnull=True, comments__status=CommentStatus.OPEN),
            )
        )
        .order_by("-round")
    )
    approvals = sum(1 for d in decisions if d.kind == DecisionKind.APPROVE)
    return {
        "decisions": decisions,
        "requested": requested,
        "rounds": rounds,
        "approvals": approvals,
        "approvals_needed": approvals_needed(review),
    }


def render_review(
    request: HttpRequest,
    review: ReviewRequest,
    *,
    page_uuid: Any = None,
    form_error: FormError | None = None,
    decision_error: FormError | None = None,
) -> HttpResponse:
    """The review page for a member; with an error, the refused form again (its status)."""
    actor = actor_of(request)
    viewer = ReviewViewer.for_member(actor, review)
    threads = svc.comments_for_review(actor=actor, review=review)
    page_url = reverse("reviews:review", kwargs={"review_uuid": review.uuid})
    context = review_page_context(
        review=review,
        viewer=viewer,
        threads=threads,
        page_uuid=page_uuid,
        urls=member_urls(review),
        page_url=page_url,
        form_error=form_error,
    )
    context.update(_round_facts(review))
    context["decision_error"] = decision_error
    context["changes_url"] = reverse("reviews:review-changes", kwargs={"review_uuid": review.uuid})
    context["decide_url"] = reverse("reviews:review-decide", kwargs={"review_uuid": review.uuid})
    context["next_url"] = page_url + (f"?page={context['page']['id']}" if context["page"] else "")
    context["reviews_url"] = (
        reverse("reviews:queue")
        if viewer.is_reviewer
        else reverse("reviews:history", kwargs={"course_uuid": review.course.uuid})
    )
    context.update(external_links_context(request, review))
    refused = decision_error or form_error
    status = refused.status if refused is not None else 200
    return render(request, T + "page.html", context, status=status)


def anchor_fragment_context(
    request: HttpRequest, review: ReviewRequest, *, key: str, page_uuid: Any
) -> dict[str, Any]:
    """The thread list and add form of one anchor, re-rendered after adding (htmx)."""
    actor = actor_of(request)
    threads = decorate(svc.comments_for_review(actor=actor, review=review))
    grouped = threads_by_anchor(threads)
    anchor, block_id = "course", ""
    if key.startswith("block-"):
        anchor, block_id = "block", key.removeprefix("block-")
    elif key.startswith("page-"):
        anchor = "page"
    viewer = ReviewViewer.for_member(actor, review)
    return {
        "review": review,
        "viewer": viewer,
        "urls": member_urls(review),
        "in_review": str(review.uuid),
        "can_add": viewer.can_comment and review.status == ReviewStatus.OPEN,
        "group": grouped.get(key),
        "key": key,
        "anchor": anchor,
        "block_id": block_id,
        "page_id": str(page_uuid or ""),
        "next_url": request.POST.get("next", ""),
    }


# --- views ----------------------------------------------------------------------------------------


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def review_page(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    """One round in review mode; `?page=<uuid>` picks the page of the pinned revision."""
    review = review_for_actor(actor=actor_of(request), review_uuid=review_uuid)
    return render_review(request, review, page_uuid=request.GET.get("page"))


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def review_decide(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    """Approve, request changes or reject the pinned revision (a reviewer, not an author)."""
    actor = actor_of(request)
    review = review_for_actor(actor=actor, review_uuid=review_uuid)
    kind = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    try:
        try:
            number = int(request.POST.get("revision_number", ""))
        except ValueError:
            raise Invalid(_("Reload the review: the form did not say which version.")) from None
        if kind == DecisionKind.APPROVE:
            services.review_approve(actor=actor, review=review, revision_number=number, note=note)
            done = _("You approved this version.")
        elif kind == DecisionKind.REQUEST_CHANGES:
            services.review_request_changes(
                actor=actor, review=review, revision_number=number, note=note
            )
            done = _("You asked for changes. The authors have been told.")
        elif kind == DecisionKind.REJECT:
            services.review_reject(actor=actor, review=review, revision_number=number, reason=note)
            done = _("You rejected this version.")
        else:
            raise Invalid(_("Choose approve, request changes or reject."))
    except DomainError as refused:
        review.refresh_from_db()
        return render_review(
            request,
            review,
            page_uuid=request.POST.get("page"),
            decision_error=FormError(
                key=kind, message=error_message(refused), body=note, status=refused.status
            ),
        )
    messages.success(request, done)
    return redirect(reverse("reviews:review", kwargs={"review_uuid": review.uuid}) + "#decision")


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def review_changes(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    """What changed in the pinned revision since the course's last reviewed round."""
    actor = actor_of(request)
    review = review_for_actor(actor=actor, review_uuid=review_uuid)
    diff = review_diff(actor=actor, review=review, include_unchanged=True)
    pages = {page.id: page.title for page in diff.pages}
    changed_blocks = [b for b in diff.blocks if b.status != "unchanged" or b.moved]
    unchanged_blocks = [b for b in diff.blocks if b.status == "unchanged" and not b.moved]
    for block in diff.blocks:
        block.page_title = pages.get(block.page_id or block.old_page_id or "", "")  # type: ignore[attr-defined]
        block.label = block_label({"type": block.type})  # type: ignore[attr-defined]
    context = {
        "review": review,
        "course": review.course,
        "diff": diff,
        "nothing_to_compare": diff.old_revision is None,
        "sections": [s for s in diff.sections if s.status != "unchanged" or s.moved],
        "pages": [p for p in diff.pages if p.status != "unchanged" or p.moved],
        "unchanged_sections": [s for s in diff.sections if s.status == "unchanged" and not s.moved],
        "unchanged_pages": [p for p in diff.pages if p.status == "unchanged" and not p.moved],
        "blocks": changed_blocks,
        "unchanged_blocks": unchanged_blocks,
        "review_url": reverse("reviews:review", kwargs={"review_uuid": review.uuid}),
    }
    return render(request, T + "changes.html", context)
