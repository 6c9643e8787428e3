"""The jobs API: follow long operations (own jobs; admins see every job of the tenant)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from egl_platform.jobs import jobs_visible_to
from egl_platform.models import Job
from egl_platform.rest.errors import error_responses
from egl_platform.rest.jobs_serializers import JobSerializer
from egl_platform.rest.viewsets import TenantViewSet
from tenants.models import Membership
from tenants.permissions import Capability


@extend_schema_view(
    list=extend_schema(
        summary="Background jobs, newest first (yours; admins see all)",
        responses={200: JobSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One job: status, progress and result",
        responses={200: JobSerializer, **error_responses(401, 403, 404)},
    ),
)
class JobViewSet(TenantViewSet):
    model = Job
    serializer_class = JobSerializer
    lookup_url_kwarg = "job_uuid"
    capabilities = {"*": Capability.JOBS_OWN}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Job]:
        return jobs_visible_to(actor)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, job_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
