"""API of the media library (/api/v1/assets/): list, upload (one or more files), retrieve
with where-used, and replace everywhere. Assets are never edited: `tenant`, `checksum` and
the file are fixed once stored, so there is no update or delete.

Thin: parse with a serializer, call authoring.services.assets, present.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from authoring.media.sniff import KINDS
from authoring.models import Asset
from authoring.services.assets import (
    UploadOutcome,
    asset_replace,
    asset_upload_many,
    asset_where_used,
    assets_list,
)
from egl_platform.rest.errors import ErrorDetailSerializer, error_body, error_responses
from egl_platform.rest.viewsets import TenantViewSet
from tenants.models import Membership
from tenants.permissions import Capability

# --- shapes ------------------------------------------------------------------------------------


class AssetSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    filename = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True, help_text="Sniffed from the content.")
    kind = serializers.ChoiceField(choices=KINDS, read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")
    checksum = serializers.CharField(read_only=True, help_text='"sha256:<64 hex digits>".')
    width = serializers.IntegerField(read_only=True, allow_null=True)
    height = serializers.IntegerField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="The file; add ?w=<width> for a rendition.")
    renditions = serializers.SerializerMethodField(
        help_text="Width in pixels → URL of a smaller WebP copy (raster images only)."
    )
    replaced_by = serializers.SerializerMethodField(
        help_text="The asset that replaced this one everywhere in the drafts, if any."
    )
    uploaded_by = serializers.SerializerMethodField(help_text="The uploader's member uuid.")
    created_at = serializers.DateTimeField(read_only=True)

    def get_url(self, asset: Asset) -> str:
        return reverse("asset-file", kwargs={"asset_uuid": asset.uuid})

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "example": {"480": "…?w=480"},
        }
    )
    def get_renditions(self, asset: Asset) -> dict[str, str]:
        url = self.get_url(asset)
        widths = sorted(int(w) for w in (asset.renditions or {}) if str(w).isdigit())
        return {str(w): f"{url}?w={w}" for w in widths}

    @extend_schema_field(OpenApiTypes.UUID)
    def get_replaced_by(self, asset: Asset) -> str | None:
        return str(asset.replaced_by.uuid) if asset.replaced_by is not None else None

    @extend_schema_field(OpenApiTypes.UUID)
    def get_uploaded_by(self, asset: Asset) -> str | None:
        return str(asset.uploaded_by.uuid) if asset.uploaded_by is not None else None


class AssetUseSerializer(serializers.Serializer):
    course = serializers.UUIDField(source="course_uuid")
    course_title = serializers.CharField()
    cover = serializers.BooleanField(source="is_cover", help_text="The course's cover image.")
    page = serializers.UUIDField(source="page_uuid", allow_null=True)
    page_title = serializers.CharField()
    block_id = serializers.CharField(help_text="Empty for a cover.")
    block_type = serializers.CharField()
    path = serializers.CharField(help_text="JSON pointer inside the block's data.")


class AssetDetailSerializer(AssetSerializer):
    where_used = serializers.SerializerMethodField(
        help_text="Every draft block and course cover that uses the asset."
    )

    @extend_schema_field(AssetUseSerializer(many=True))
    def get_where_used(self, asset: Asset) -> list[dict[str, Any]]:
        uses = asset_where_used(asset=asset)
        return cast(list[dict[str, Any]], AssetUseSerializer(uses, many=True).data)


class AssetFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=KINDS, default="")
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AssetUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text="One or more files (repeat the `files` part).",
    )
    file = serializers.FileField(
        required=False, allow_empty_file=True, help_text="A single file (instead of `files`)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        files = list(attrs.get("files") or [])
        if attrs.get("file") is not None:
            files.append(attrs["file"])
        if not files:
            raise serializers.ValidationError({"files": [_("Choose one or more files to upload.")]})
        return {"files": files}


class AssetReplaceSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class UploadResultSerializer(serializers.Serializer):
    filename = serializers.CharField(help_text="The name the file was sent with.")
    status = serializers.ChoiceField(
        choices=["uploaded", "existing", "refused"],
        help_text="uploaded: stored; existing: the same content is already in the library "
        "(that asset is returned, nothing stored); refused: see `error`.",
    )
    asset = AssetSerializer(allow_null=True)
    error = ErrorDetailSerializer(allow_null=True)


class UploadResultsSerializer(serializers.Serializer):
    results = UploadResultSerializer(many=True)


def _result(outcome: UploadOutcome) -> dict[str, Any]:
    if outcome.error is not None:
        error = error_body(outcome.error.code, outcome.error.message, outcome.error.fields)
        return {"filename": outcome.filename, "status": "refused", "asset": None, **error}
    return {
        "filename": outcome.filename,
        "status": "uploaded" if outcome.created else "existing",
        "asset": AssetSerializer(outcome.asset).data,
        "error": None,
    }


# --- the viewset -------------------------------------------------------------------------------

_NOT_FOUND = error_responses(401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="The media library, newest first",
        parameters=[
            OpenApiParameter(
                "kind", str, enum=list(KINDS), description="Only assets of this kind."
            ),
            OpenApiParameter("search", str, description="Part of the file name."),
        ],
        responses={200: AssetSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One asset, with where it is used in the drafts",
        responses={200: AssetDetailSerializer, **_NOT_FOUND},
    ),
    create=extend_schema(
        summary="Upload one or more files",
        description=(
            "Each file is checked on its own: its type is sniffed from the content, it must fit "
            "the organisation's size limit, SVG is sanitised and SRT converted to WebVTT. A file "
            "whose content is already in the library returns that asset. 201 when at least one "
            "file was stored, 200 when all matched existing assets, 400 when every file was "
            "refused (with `results` beside the error)."
        ),
        request={"multipart/form-data": AssetUploadSerializer},
        responses={
            201: UploadResultsSerializer,
            200: UploadResultsSerializer,
            **error_responses(400, 401, 403),
        },
    ),
)
class AssetViewSet(TenantViewSet):
    model = Asset
    serializer_class = AssetSerializer
    lookup_url_kwarg = "asset_uuid"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    capabilities = {"*": Capability.COURSE_CREATE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Asset]:
        filters: dict[str, str] = {}
        if self.action == "list":
            form = AssetFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            filters = {key: value.strip() for key, value in form.validated_data.items()}
        return assets_list(actor=actor, **filters).select_related("replaced_by", "uploaded_by")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AssetSerializer(page, many=True).data)

    def retrieve(self, request: Request, asset_uuid: str) -> Response:
        return Response(AssetDetailSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        form = AssetUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcomes = asset_upload_many(actor=self.actor, files=form.validated_data["files"])
        results = [_result(outcome) for outcome in outcomes]
        if all(outcome.error is not None for outcome in outcomes):
            body = error_body(
                "invalid",
                _("No file was uploaded."),
                {"files": [f"{o.filename}: {o.message}" for o in outcomes]},
            )
            return Response({**body, "results": results}, status=status.HTTP_400_BAD_REQUEST)
        created = any(outcome.created for outcome in outcomes)
        return Response(
            {"results": results}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Replace the asset everywhere in the drafts",
        description=(
            "The new file passes the upload checks and must be of the same kind. Every draft "
            "block and course cover using the asset then uses the new one (each changed page and "
            "course gets a new version, so open editors see a conflict); the old asset stays for "
            "saved revisions, with `replaced_by` set. Answers the new asset."
        ),
        request={"multipart/form-data": AssetReplaceSerializer},
        responses={200: AssetDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def replace(self, request: Request, asset_uuid: str) -> Response:
        asset = cast(Asset, self.get_object())
        form = AssetReplaceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        new = asset_replace(actor=self.actor, asset=asset, file=form.validated_data["file"])
        fresh = self.get_queryset().get(pk=new.pk)
        return Response(AssetDetailSerializer(fresh).data)
