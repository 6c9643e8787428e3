"""The external reviewer's public pages, included at `external-review/` (no namespace: the
names `external-review*` are what reviews.external reverses)."""

from django.urls import path

from reviews.views import external

LINK = "<str:token>/"

urlpatterns = [
    path(LINK, external.external_review, name="external-review"),
    path(LINK + "comments/", external.external_comment_add, name="external-review-comment-add"),
    path(
        LINK + "comments/<uuid:comment_uuid>/replies/",
        external.external_comment_reply,
        name="external-review-comment-reply",
    ),
]
