"""The catalog API: listed courses with the catalog's filters, and one course's details.

Every member may read it (COURSE_TAKE); a course without a live release — another tenant's
included — is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from courses import catalog
from courses.models import CatalogEntry
from egl_platform.rest.errors import error_responses
from egl_platform.rest.viewsets import TenantViewSet
from tenants.models import Membership
from tenants.permissions import Capability


class CatalogEntrySerializer(serializers.ModelSerializer[CatalogEntry]):
    course = serializers.UUIDField(source="course.uuid", read_only=True)
    rating_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, read_only=True
    )

    class Meta:
        model = CatalogEntry
        fields = [
            "course",
            "title",
            "description",
            "category",
            "language",
            "estimated_minutes",
            "first_published_at",
            "updated_at",
            "rating_average",
            "rating_count",
        ]
        read_only_fields = fields


class CatalogOutlineSectionSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    pages = serializers.ListField(child=serializers.CharField())


class CatalogCourseSerializer(CatalogEntrySerializer):
    release = serializers.IntegerField(source="live_release.number", read_only=True)
    objectives = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    outline = serializers.SerializerMethodField()

    class Meta(CatalogEntrySerializer.Meta):
        fields = [
            *CatalogEntrySerializer.Meta.fields,
            "release",
            "objectives",
            "authors",
            "outline",
        ]
        read_only_fields = fields

    def _page(self, entry: CatalogEntry) -> catalog.CoursePage:
        cache: dict[str, Any] = self.context.get("cache", {})
        if "course_page" not in cache:
            cache["course_page"] = catalog.course_page(entry)
        page: catalog.CoursePage = cache["course_page"]
        return page

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_objectives(self, entry: CatalogEntry) -> list[str]:
        return self._page(entry).objectives

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, entry: CatalogEntry) -> list[str]:
        return self._page(entry).authors

    @extend_schema_field(CatalogOutlineSectionSerializer(many=True))
    def get_outline(self, entry: CatalogEntry) -> list[dict[str, Any]]:
        return [{"title": s.title, "pages": s.pages} for s in self._page(entry).outline]


class CatalogFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="")
    duration = serializers.ChoiceField(
        choices=[c for c, _label in catalog.DURATION_CHOICES],
        required=False,
        allow_blank=True,
        default="",
    )
    recency = serializers.ChoiceField(
        choices=[c for c, _label in catalog.RECENCY_CHOICES],
        required=False,
        allow_blank=True,
        default="",
    )


class CatalogCursorPagination(CursorPagination):
    ordering = ("title", "id")
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(
        summary="The catalog: listed courses, searched and filtered (by title)",
        parameters=[
            OpenApiParameter("q", str, description="Search text (title, description, content)."),
            OpenApiParameter("category", str, description="A category slug."),
            OpenApiParameter("language", str, description="A language code."),
            OpenApiParameter("duration", str, enum=[c for c, _label in catalog.DURATION_CHOICES]),
            OpenApiParameter("recency", str, enum=[c for c, _label in catalog.RECENCY_CHOICES]),
        ],
        responses={200: CatalogEntrySerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One course of the catalog: objectives, authors, outline",
        parameters=[OpenApiParameter("course_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: CatalogCourseSerializer, **error_responses(401, 403, 404)},
    ),
)
class CatalogViewSet(TenantViewSet):
    model = CatalogEntry
    serializer_class = CatalogEntrySerializer
    lookup_url_kwarg = "course_uuid"
    pagination_class = CatalogCursorPagination
    http_method_names = ["get", "head", "options"]
    capabilities = {"*": Capability.COURSE_TAKE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[CatalogEntry]:
        form = CatalogFilterSerializer(data=self.request.query_params)
        form.is_valid(raise_exception=True)
        return catalog.catalog_search(actor=actor, **form.validated_data).select_related("course")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, course_uuid: str) -> Response:
        entry = catalog.catalog_entry_for(actor=self.actor, course_uuid=course_uuid)
        return Response(
            CatalogCourseSerializer(entry, context={"request": request, "cache": {}}).data
        )
