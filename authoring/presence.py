"""Who else is editing a course, and on which page (issue 3, item 5).

One cache entry per course (keys are namespaced by tenant by the cache's key function)
holding a small dict: member uuid → {name, page_uuid, seen_at}. The editor sends a
heartbeat every ~15 s; an entry not renewed for 45 s has left. Read-modify-write is not
atomic across processes: two heartbeats at the same instant may drop one entry until
that member's next heartbeat, which is harmless for a presence hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from authoring.models import Course
from tenants.models import Membership

__all__ = ["PRESENCE_TTL", "Presence", "presence_list", "presence_touch"]

PRESENCE_TTL = 45  # seconds
MAX_ENTRIES = 100


@dataclass(frozen=True)
class Presence:
    member_uuid: str
    name: str
    page_uuid: str | None
    seen_at: datetime


def _key(course: Course) -> str:
    return f"authoring:presence:{course.uuid}"


def _fresh(entries: Any, now: datetime) -> dict[str, dict[str, Any]]:
    if not isinstance(entries, dict):
        return {}
    cutoff = now - timedelta(seconds=PRESENCE_TTL)
    fresh = {}
    for member_uuid, entry in entries.items():
        try:
            seen_at = datetime.fromisoformat(entry["seen_at"])
        except (KeyError, TypeError, ValueError):
            continue
        if seen_at > cutoff:
            fresh[member_uuid] = entry
    return fresh


def presence_touch(*, course: Course, actor: Membership, page_uuid: Any = None) -> None:
    """Note that `actor` is editing `course`, on `page_uuid` (or the course settings: None)."""
    now = timezone.now()
    key = _key(course)
    entries = _fresh(cache.get(key), now)
    entries[str(actor.uuid)] = {
        "name": actor.user.name,
        "page_uuid": str(page_uuid) if page_uuid else None,
        "seen_at": now.isoformat(),
    }
    if len(entries) > MAX_ENTRIES:  # keep the most recent
        newest = sorted(entries.items(), key=lambda item: item[1]["seen_at"], reverse=True)
        entries = dict(newest[:MAX_ENTRIES])
    cache.set(key, entries, PRESENCE_TTL)


def presence_list(*, course: Course, exclude: Membership | None = None) -> list[Presence]:
    """Who is editing the course now (seen in the last 45 s), by name; `exclude` left out."""
    entries = _fresh(cache.get(_key(course)), timezone.now())
    skip = str(exclude.uuid) if exclude is not None else None
    people = [
        Presence(
            member_uuid=member_uuid,
            name=str(entry.get("name") or ""),
            page_uuid=entry.get("page_uuid"),
            seen_at=datetime.fromisoformat(entry["seen_at"]),
        )
        for member_uuid, entry in entries.items()
        if member_uuid != skip
    ]
    return sorted(people, key=lambda p: (p.name.casefold(), p.member_uuid))


def presence_leave(*, course: Course, actor: Membership) -> None:
    """Drop the actor's entry at once (the editor closed)."""
    key = _key(course)
    entries = _fresh(cache.get(key), timezone.now())
    if entries.pop(str(actor.uuid), None) is not None:
        cache.set(key, entries, PRESENCE_TTL)
