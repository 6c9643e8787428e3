"""Receivers of other apps' signals, connected in AuthoringConfig.ready()."""

from __future__ import annotations

from typing import Any

from tenants.models import Membership
from tenants.signals import membership_deactivated


def _hand_over_courses(
    sender: Any, *, membership: Membership, actor: Membership | None = None, **kwargs: Any
) -> None:
    from authoring.services.coauthors import courses_hand_over

    courses_hand_over(membership=membership, actor=actor)


def connect() -> None:
    membership_deactivated.connect(
        _hand_over_courses, sender=Membership, dispatch_uid="authoring.hand_over_courses"
    )
