"""API shape of a Job: status, progress, message and a result without internal storage paths."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from egl_platform.models import Job, JobStatus
from tenants.rest.serializers import MemberRefSerializer

# Keys of Job.result that stay on the server (storage paths and the like).
INTERNAL_RESULT_KEYS = frozenset({"file", "path", "storage_path"})


def job_download_path(job: Job) -> str | None:
    """The HTML download view of a finished job's file, when there is one."""
    if job.status != JobStatus.SUCCEEDED or not (job.result or {}).get("file"):
        return None
    try:
        return reverse("jobs:download", kwargs={"job_uuid": job.uuid})
    except NoReverseMatch:
        return None


class JobSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=JobStatus.choices, read_only=True)
    progress = serializers.IntegerField(
        read_only=True, min_value=0, max_value=100, help_text="0–100."
    )
    result = serializers.SerializerMethodField(
        help_text="The outcome, e.g. {filename, rows}; empty until it succeeded."
    )
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file a job produced, if any."
    )
    created_by = MemberRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = (
            "uuid",
            "kind",
            "status",
            "progress",
            "message",
            "result",
            "download_url",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_result(self, job: Job) -> dict[str, Any]:
        result = job.result if isinstance(job.result, dict) else {}
        return {key: value for key, value in result.items() if key not in INTERNAL_RESULT_KEYS}

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, job: Job) -> str | None:
        path = job_download_path(job)
        if path is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
