"""Course categories as the tenant's review policy defines them.

The categories and their policies live in the reviews app, which authoring must not import
(DESIGN.md §2: tenants ← authoring ← reviews). Reviews registers a policy object here when
it starts; authoring asks it for the choices and whether a category requires approval.
Without one registered, any category is accepted and none requires approval.
"""

from __future__ import annotations

from typing import Protocol


class CategoryPolicy(Protocol):
    def choices(self) -> list[tuple[str, str]]:
        """(slug, name) of the active tenant's categories."""
        ...

    def requires_approval(self, slug: str) -> bool: ...


_policy: CategoryPolicy | None = None


def register_category_policy(policy: CategoryPolicy) -> None:
    global _policy
    _policy = policy


def category_choices() -> list[tuple[str, str]]:
    return _policy.choices() if _policy is not None else []


def category_requires_approval(slug: str) -> bool:
    return bool(slug) and _policy is not None and _policy.requires_approval(slug)
