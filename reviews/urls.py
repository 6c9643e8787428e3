"""The review pages, included at `reviews/` (namespace `reviews`)."""

from django.urls import path

from reviews.views import external_links, queue, review, threads, workspace

app_name = "reviews"

COURSE = "courses/<uuid:course_uuid>/"
REVIEW = "<uuid:review_uuid>/"
COMMENT = "comments/<uuid:comment_uuid>/"

urlpatterns = [
    # the L&D queue, a course's history, categories (reviews.views.queue)
    path("", queue.queue_page, name="queue"),
    path("categories/", queue.categories_page, name="categories"),
    path(COURSE + "history/", queue.history_page, name="history"),
    # the course workspace's review card and its actions (reviews.views.workspace)
    path(COURSE + "workspace/", workspace.workspace_card, name="workspace-card"),
    path(COURSE + "submit/", workspace.review_submit, name="submit"),
    path(COURSE + "withdraw/", workspace.review_withdraw, name="withdraw"),
    path(COURSE + "publish/", workspace.course_publish, name="publish"),
    # review mode: one round, its changes, decisions (reviews.views.review)
    path(REVIEW, review.review_page, name="review"),
    path(REVIEW + "changes/", review.review_changes, name="review-changes"),
    path(REVIEW + "decision/", review.review_decide, name="review-decide"),
    # comment threads (reviews.views.threads); the editor's fragment is in urls_editor.py
    path(REVIEW + "comments/", threads.comment_add, name="comment-add"),
    path(COMMENT + "replies/", threads.comment_reply, name="comment-reply"),
    path(COMMENT + "resolve/", threads.comment_resolve, name="comment-resolve"),
    path(COMMENT + "reopen/", threads.comment_reopen, name="comment-reopen"),
    # outside experts' review links of a round (reviews.views.external_links)
    path(REVIEW + "external-links/", external_links.external_links, name="external-links"),
    path(
        REVIEW + "external-links/<uuid:link_uuid>/revoke/",
        external_links.external_link_revoke,
        name="external-link-revoke",
    ),
]
