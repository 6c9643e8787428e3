"""Headline figures of the review process, computed in the database (a few queries).

- Time to first response: per round, from its submission to the first comment on it or
  decision about it by someone who is not an author (owner or co-author) of the course —
  external reviewers count. Rounds nobody answered yet are left out (`count` says how
  many were measured).
- Cycle time: per approval, from the submission of the first round after the course's
  previous approval (round 1 for a course approved once) to the approval.
- Rounds to approval: how many rounds that took.
- Counts of rounds by status.

`since` / `until` select rounds submitted in [since, until) for the counts and the time to
first response, and approvals given in [since, until) for cycle time and rounds.
Durations are in seconds.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least

from authoring.models import CourseAuthor
from reviews.models import Comment, Decision, ReviewRequest, ReviewStatus
from tenants.models import Membership
from tenants.permissions import Capability, require_capability

__all__ = ["review_figures"]


class Median(Aggregate):
    """PostgreSQL's continuous median: percentile_cont(0.5) WITHIN GROUP (ORDER BY x)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _rounds(
    *, since: datetime | None, until: datetime | None, category: str | None, field: str
) -> QuerySet[ReviewRequest]:
    rounds = ReviewRequest.objects.all()
    if since is not None:
        rounds = rounds.filter(**{f"{field}__gte": since})
    if until is not None:
        rounds = rounds.filter(**{f"{field}__lt": until})
    if category:
        rounds = rounds.filter(course__category=category)
    return rounds


def _first_response() -> Least:
    """The earliest comment or decision on the round by a non-author of its course."""
    authors = CourseAuthor.objects.filter(course=OuterRef(OuterRef("course"))).values(
        "membership_id"
    )
    not_author = ~Q(author=OuterRef("course__owner")) & ~Q(author__in=authors)
    first_comment = (
        Comment.objects.filter(review=OuterRef("pk"), created_at__gte=OuterRef("created_at"))
        .filter(Q(author__isnull=True) | not_author)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    decider_authors = CourseAuthor.objects.filter(course=OuterRef(OuterRef("course"))).values(
        "membership_id"
    )
    first_decision = (
        Decision.objects.filter(review=OuterRef("pk"))
        .exclude(reviewer=OuterRef("course__owner"))
        .exclude(reviewer__in=decider_authors)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    # The earlier of the two, the one that exists, or NULL when neither does. (PostgreSQL's
    # LEAST ignores NULLs but SQLite's returns NULL: coalescing each with the other gives the
    # same answer on both.)
    comment, decision = Subquery(first_comment), Subquery(first_decision)
    return Least(Coalesce(comment, decision), Coalesce(decision, comment))


def _summary(queryset: QuerySet[Any], field: str, *, duration: bool) -> dict[str, Any]:
    output = DurationField() if duration else FloatField()
    if connection.vendor == "postgresql":
        row = queryset.aggregate(
            count=Count(field),
            median=Median(field, output_field=output),
            average=Avg(field, output_field=output),
        )
    else:  # the embedded demo database has no percentile_cont: the same figures in Python
        values = [
            seconds
            for seconds in map(_seconds, queryset.values_list(field, flat=True))
            if seconds is not None
        ]
        row = {
            "count": len(values),
            "median": statistics.median(values) if values else None,
            "average": statistics.fmean(values) if values else None,
        }
    if duration:
        return {
            "count": row["count"],
            "median_seconds": _seconds(row["median"]),
            "average_seconds": _seconds(row["average"]),
        }
    return {
        "count": row["count"],
        "median": _seconds(row["median"]),
        "average": _seconds(row["average"]),
    }


def review_figures(
    *,
    actor: Membership,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """The review figures of the active tenant (COURSE_REVIEW; others: Forbidden).

    Returns {"counts": {status: n, ..., "total": n}, "time_to_first_response": {count,
    median_seconds, average_seconds}, "cycle_time": {count, median_seconds,
    average_seconds}, "rounds_to_approval": {count, median, average}}; medians and
    averages are None when nothing was measured. Four queries.
    """
    require_capability(actor, Capability.COURSE_REVIEW)
    submitted = _rounds(since=since, until=until, category=category, field="created_at")

    counts = submitted.aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in ReviewStatus.values},
    )

    responded = submitted.annotate(first_response=_first_response()).filter(
        first_response__isnull=False
    )
    responded = responded.annotate(
        response_time=ExpressionWrapper(
            F("first_response") - F("created_at"), output_field=DurationField()
        )
    )
    first_response = _summary(responded, "response_time", duration=True)

    previous_approval = (
        ReviewRequest.objects.filter(
            course=OuterRef("course"), status=ReviewStatus.APPROVED, round__lt=OuterRef("round")
        )
        .order_by("-round")
        .values("round")[:1]
    )
    approvals = (
        _rounds(since=since, until=until, category=category, field="closed_at")
        .filter(status=ReviewStatus.APPROVED, closed_at__isnull=False)
        .annotate(
            start_round=Coalesce(Subquery(previous_approval), Value(0)) + Value(1),
        )
        .annotate(
            cycle_start=Subquery(
                ReviewRequest.objects.filter(
                    course=OuterRef("course"), round=OuterRef("start_round")
                ).values("created_at")[:1]
            ),
            rounds_taken=ExpressionWrapper(
                F("round") - F("start_round") + Value(1), output_field=IntegerField()
            ),
        )
        .annotate(
            cycle_time=ExpressionWrapper(
                F("closed_at") - F("cycle_start"), output_field=DurationField()
            )
        )
    )
    cycle = _summary(approvals, "cycle_time", duration=True)
    rounds = _summary(approvals, "rounds_taken", duration=False)
    return {
        "counts": counts,
        "time_to_first_response": first_response,
        "cycle_time": cycle,
        "rounds_to_approval": rounds,
    }
