"""The certificate API: one's own certificates, nobody else's.

    GET /api/v1/certificates/                     my certificates (cursor pagination)
    GET /api/v1/certificates/<certificate_uuid>/  one of mine (anyone else's: 404)

The PDF itself is the HTML route `certificates:download` (the `download_url` field);
checking a code is the public HTML page /verify/<code>/ (the `verify_url` field).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from courses.certificates import certificate_verify_url, certificates_of
from courses.models import Certificate
from egl_platform.rest.errors import error_responses
from egl_platform.rest.viewsets import TenantViewSet
from tenants.hosts import tenant_url
from tenants.models import Membership
from tenants.permissions import Capability

__all__ = ["CertificateViewSet"]


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    course = serializers.UUIDField(source="enrollment.course.uuid", read_only=True)
    enrollment = serializers.UUIDField(source="enrollment.uuid", read_only=True)
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "uuid",
            "code",
            "course",
            "enrollment",
            "learner_name",
            "course_title",
            "release_number",
            "completed_at",
            "issued_at",
            "download_url",
            "verify_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Certificate) -> str:
        path = reverse("certificates:download", kwargs={"certificate_uuid": obj.uuid})
        return tenant_url(obj.tenant, path)

    def get_verify_url(self, obj: Certificate) -> str:
        return certificate_verify_url(obj)


class CertificateCursorPagination(CursorPagination):
    ordering = ("-issued_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(
        summary="My certificates",
        responses={200: CertificateSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One of my certificates",
        responses={200: CertificateSerializer, **error_responses(401, 403, 404)},
    ),
)
class CertificateViewSet(TenantViewSet):
    model = Certificate
    serializer_class = CertificateSerializer
    lookup_url_kwarg = "certificate_uuid"
    pagination_class = CertificateCursorPagination
    http_method_names = ["get", "head", "options"]
    capabilities = {"*": Capability.COURSE_TAKE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Certificate]:
        return certificates_of(actor=actor).select_related("tenant")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, certificate_uuid: Any = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
