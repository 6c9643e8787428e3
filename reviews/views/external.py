"""The external reviewer's page: a round's pinned revision through a signed link, comment-only.

    /external-review/<token>/                                     the review-mode page
    /external-review/<token>/comments/                            POST a new thread
    /external-review/<token>/comments/<comment_uuid>/replies/     POST a reply

Public (no sign-in): the token is the key. reviews.external.external_link_resolve decides
whether it still works; a link that stopped working answers 410 with the reason in the
reader's words (expired, withdrawn, round closed), a token that names nothing here 404. The
page is templates/reviews/review/page.html with an external viewer: no decision panel, no
resolve or reopen, forms posting to the endpoints above.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from authoring.views.common import back, error_message
from egl_platform.errors import DomainError
from reviews import comments as svc
from reviews import external
from reviews.models import ExternalReviewLink
from reviews.viewer import ReviewViewer
from reviews.views.review import review_page_context
from reviews.views.threads import (
    FormError,
    ThreadUrls,
    decorate,
    is_htmx,
    threads_by_anchor,
)
from tenants.decorators import public_view

__all__ = ["external_comment_add", "external_comment_reply", "external_review"]

T = "reviews/review/"


def _urls(token: str) -> ThreadUrls:
    add = reverse("external-review-comment-add", kwargs={"token": token})
    return ThreadUrls(add=add, thread_base=add)


def _page_url(token: str) -> str:
    return reverse("external-review", kwargs={"token": token})


def _threads(link: ExternalReviewLink) -> list[svc.CommentThread]:
    """The round's threads as its members see them: started in it, or carried over open."""
    return svc.round_threads(link.review)


def _unusable(request: HttpRequest, error: external.LinkUnusable) -> HttpResponse:
    return render(request, T + "link_unusable.html", {"reason": error.reason}, status=error.status)


def _render(
    request: HttpRequest,
    link: ExternalReviewLink,
    token: str,
    *,
    page_uuid: Any = None,
    form_error: FormError | None = None,
) -> HttpResponse:
    context = review_page_context(
        review=link.review,
        viewer=ReviewViewer.for_external(link),
        threads=_threads(link),
        page_uuid=page_uuid,
        urls=_urls(token),
        page_url=_page_url(token),
        form_error=form_error,
    )
    context["next_url"] = _page_url(token) + (
        f"?page={context['page']['id']}" if context["page"] else ""
    )
    context["in_review"] = ""
    response = render(
        request, T + "page.html", context, status=form_error.status if form_error else 200
    )
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


def _back(request: HttpRequest, token: str, fragment: str = "") -> HttpResponse:
    """To the form's `next` (this host only), else the page the comment is on."""
    page = request.POST.get("page_uuid") or ""
    url = _page_url(token) + (f"?page={page}" if page else "")
    return back(request, url + (f"#{fragment}" if fragment else ""))


@public_view
@never_cache
@require_GET
def external_review(request: HttpRequest, token: str) -> HttpResponse:
    """The round's pinned revision, page by page, for the expert the link names."""
    try:
        link = external.external_link_resolve(token)
    except external.LinkUnusable as unusable:
        return _unusable(request, unusable)
    return _render(request, link, token, page_uuid=request.GET.get("page"))


@public_view
@require_POST
def external_comment_add(request: HttpRequest, token: str) -> HttpResponse:
    """Start a thread on the course, a page or a block of the pinned revision."""
    try:
        link = external.external_link_resolve(token)
    except external.LinkUnusable as unusable:
        return _unusable(request, unusable)
    key = request.POST.get("key", "") or "course"
    page_uuid = request.POST.get("page_uuid") or None
    body = request.POST.get("body", "")
    error: FormError | None = None
    comment = None
    try:
        comment = external.external_comment_add(
            link=link,
            anchor=request.POST.get("anchor", ""),
            page_uuid=page_uuid,
            block_id=request.POST.get("block_id") or None,
            body=body,
        )
    except external.LinkUnusable as refused:
        return _unusable(request, refused)
    except DomainError as refused:
        error = FormError(key=key, message=error_message(refused), body=body, status=refused.status)
    if is_htmx(request):
        anchor, block_id = "course", ""
        if key.startswith("block-"):
            anchor, block_id = "block", key.removeprefix("block-")
        elif key.startswith("page-"):
            anchor = "page"
        grouped = threads_by_anchor(decorate(_threads(link)))
        context = {
            "review": link.review,
            "viewer": ReviewViewer.for_external(link),
            "urls": _urls(token),
            "in_review": "",
            "can_add": True,
            "group": grouped.get(key),
            "key": key,
            "anchor": anchor,
            "block_id": block_id,
            "page_id": str(page_uuid or ""),
            "next_url": request.POST.get("next", ""),
            "form_error": error,
            "status_message": _("Comment added.") if comment is not None else "",
            "focus_uuid": str(comment.uuid) if comment is not None else "",
        }
        return render(
            request,
            "reviews/_threads_for_block.html",
            context,
            status=error.status if error else 200,
        )
    if error is not None:
        return _render(request, link, token, page_uuid=page_uuid, form_error=error)
    messages.success(request, _("Comment added."))
    assert comment is not None
    return _back(request, token, f"thread-{comment.uuid}")


@public_view
@require_POST
def external_comment_reply(request: HttpRequest, token: str, comment_uuid: Any) -> HttpResponse:
    """Reply to a thread of the link's round."""
    try:
        link = external.external_link_resolve(token)
    except external.LinkUnusable as unusable:
        return _unusable(request, unusable)
    comment = external.external_comment_for_link(link=link, comment_uuid=comment_uuid)
    body = request.POST.get("body", "")
    error: FormError | None = None
    try:
        external.external_comment_reply(link=link, comment=comment, body=body)
    except external.LinkUnusable as refused:
        return _unusable(request, refused)
    except DomainError as refused:
        root = comment.parent.uuid if comment.parent_id and comment.parent else comment.uuid
        error = FormError(
            key=f"reply-{root}", message=error_message(refused), body=body, status=refused.status
        )
    root_pk = comment.parent_id or comment.pk
    if is_htmx(request):
        thread = next((t for t in _threads(link) if t.comment.pk == root_pk), None)
        if thread is not None:
            context = {
                "thread": decorate([thread])[0],
                "viewer": ReviewViewer.for_external(link),
                "urls": _urls(token),
                "in_review": "",
                "next_url": request.POST.get("next", "").split("#")[0],
                "thread_error": error,
                "status_message": "" if error else _("Reply added."),
                "focus_thread": True,
            }
            return render(
                request, "reviews/_thread.html", context, status=error.status if error else 200
            )
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reply added."))
    root_uuid = comment.parent.uuid if comment.parent_id and comment.parent else comment.uuid
    return _back(request, token, f"thread-{root_uuid}")
