"""The review categories, offered to authoring as its category policy (authoring.categories)."""

from __future__ import annotations

from reviews.models import ReviewCategory
from reviews.selectors import categories_list


class ReviewCategoryPolicy:
    def choices(self) -> list[tuple[str, str]]:
        return [(category.slug, category.name) for category in categories_list()]

    def requires_approval(self, slug: str) -> bool:
        return ReviewCategory.objects.filter(slug=slug, approval_required=True).exists()
