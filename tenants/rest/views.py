"""API for the current user, members, invitations, groups and API tokens (/api/v1/).

Thin: each endpoint parses its input with a serializer, calls one selector (reads) or one
service (writes) from tenants, and presents the result. The queryset is built by
egl_platform.rest.viewsets.TenantViewSet from `scoped_queryset`, so another tenant's uuid
is simply not found (404). Capabilities per action are read by HasCapability (default deny).
"""

from __future__ import annotations

from typing import cast

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egl_platform.errors import NotFound
from egl_platform.jobs import job_start
from egl_platform.rest.errors import error_responses
from egl_platform.rest.jobs_serializers import JobSerializer
from egl_platform.rest.permissions import request_membership
from egl_platform.rest.viewsets import TenantViewSet
from tenants import selectors
from tenants.models import ApiToken, Group, GroupKind, Invitation, Membership, MembershipStatus
from tenants.permissions import Capability, Role
from tenants.rest import serializers as s
from tenants.services import accounts, groups, invitations, members

# --- me ----------------------------------------------------------------------------------------


class MeView(APIView):
    """The signed-in person, their membership of this organisation, and the organisation."""

    capability = Capability.PROFILE_OWN

    def _present(self, request: Request) -> Response:
        membership = request_membership(request)
        assert membership is not None  # HasCapability admitted an active membership
        tenant = request._request.tenant  # type: ignore[attr-defined]  # set by TenantMiddleware
        data = {"user": membership.user, "membership": membership, "tenant": tenant}
        return Response(s.MeSerializer(data).data)

    @extend_schema(
        operation_id="me_retrieve", responses={200: s.MeSerializer, **error_responses(401, 403)}
    )
    def get(self, request: Request) -> Response:
        return self._present(request)

    @extend_schema(
        operation_id="me_partial_update",
        request=s.MeUpdateSerializer,
        responses={200: s.MeSerializer, **error_responses(400, 401, 403)},
    )
    def patch(self, request: Request) -> Response:
        form = s.MeUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = request_membership(request)
        assert membership is not None
        user = membership.user
        accounts.profile_update(
            user=user,
            display_name=form.validated_data.get("display_name", user.display_name),
            language=form.validated_data.get("language", user.language),
        )
        return self._present(request)


# --- members -----------------------------------------------------------------------------------


class MemberFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    role = serializers.ChoiceField(
        required=False, allow_blank=True, choices=Role.choices, default=""
    )
    status = serializers.ChoiceField(
        required=False, allow_blank=True, choices=MembershipStatus.choices, default=""
    )


_UUID_NOT_FOUND = error_responses(401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="Members of this organisation",
        parameters=[
            OpenApiParameter("search", str, description="Part of the e-mail address or name."),
            OpenApiParameter(
                "role", str, enum=Role.values, description="Only members with this role."
            ),
            OpenApiParameter("status", str, enum=MembershipStatus.values),
        ],
        responses={200: s.MemberSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One member", responses={200: s.MemberSerializer, **_UUID_NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary="Set a member's roles",
        request=s.MemberRolesSerializer,
        responses={200: s.MemberSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class MemberViewSet(TenantViewSet):
    model = Membership
    serializer_class = s.MemberSerializer
    lookup_url_kwarg = "member_uuid"
    capabilities = {"*": Capability.MEMBERS_MANAGE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Membership]:
        filters: dict[str, str] = {}
        if self.action == "list":
            form = MemberFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            filters = {key: value.strip() for key, value in form.validated_data.items()}
        return selectors.members_list(actor=actor, **filters).prefetch_related("groups")

    def _member(self) -> Membership:
        return cast(Membership, self.get_object())

    def _present(self, membership: Membership) -> Response:
        fresh = self.get_queryset().get(pk=membership.pk)
        return Response(self.get_serializer(fresh).data)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, member_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request: Request, member_uuid: str) -> Response:
        membership = self._member()
        form = s.MemberRolesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        members.membership_set_roles(
            actor=self.actor, membership=membership, roles=form.validated_data["roles"]
        )
        return self._present(membership)

    @extend_schema(
        summary="Deactivate a member (their content stays)",
        request=None,
        responses={200: s.MemberSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, member_uuid: str) -> Response:
        membership = self._member()
        members.membership_deactivate(actor=self.actor, membership=membership)
        return self._present(membership)

    @extend_schema(
        summary="Reactivate a deactivated member",
        request=None,
        responses={200: s.MemberSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, member_uuid: str) -> Response:
        membership = self._member()
        members.membership_reactivate(actor=self.actor, membership=membership)
        return self._present(membership)

    @extend_schema(
        summary="Export every member as CSV (a background job)",
        description="Answers 202 with the job; follow it at /api/v1/jobs/{job_uuid}/.",
        request=None,
        responses={202: JobSerializer, **error_responses(401, 403)},
    )
    @action(detail=False, methods=["post"])
    def export(self, request: Request) -> Response:
        job = job_start(actor=self.actor, kind="members.export_csv")
        return Response(
            JobSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )


# --- invitations -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Invitations, newest first",
        responses={200: s.InvitationSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One invitation", responses={200: s.InvitationSerializer, **_UUID_NOT_FOUND}
    ),
    create=extend_schema(
        summary="Invite an e-mail address with roles",
        description="The link is e-mailed to the address; it is never part of a response.",
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationSerializer, **error_responses(400, 401, 403)},
    ),
)
class InvitationViewSet(TenantViewSet):
    model = Invitation
    serializer_class = s.InvitationSerializer
    lookup_url_kwarg = "invitation_uuid"
    capabilities = {"*": Capability.MEMBERS_MANAGE}

    def _invitation(self) -> Invitation:
        return cast(Invitation, self.get_object())

    def scoped_queryset(self, actor: Membership) -> QuerySet[Invitation]:
        return selectors.invitations_list(actor=actor)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, invitation_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        form = s.InvitationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = invitations.invitation_create(
            actor=self.actor,
            email=form.validated_data["email"],
            roles=form.validated_data["roles"],
            language=form.validated_data.get("language", ""),
        )
        return Response(self.get_serializer(issued.invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send the invitation again with a new link",
        description="The previous link stops working; the expiry starts again.",
        request=None,
        responses={200: s.InvitationSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, invitation_uuid: str) -> Response:
        issued = invitations.invitation_resend(actor=self.actor, invitation=self._invitation())
        return Response(self.get_serializer(issued.invitation).data)

    @extend_schema(
        summary="Withdraw the invitation",
        request=None,
        responses={200: s.InvitationSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, invitation_uuid: str) -> Response:
        invitation = invitations.invitation_revoke(actor=self.actor, invitation=self._invitation())
        return Response(self.get_serializer(invitation).data)


# --- groups ------------------------------------------------------------------------------------


class GroupFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        required=False, allow_blank=True, choices=GroupKind.choices, default=""
    )
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


_GROUP_WRITE_ERRORS = error_responses(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="Groups (teams, regions, departments); every member may read them",
        parameters=[
            OpenApiParameter("kind", str, enum=GroupKind.values),
            OpenApiParameter("search", str, description="Part of the name."),
        ],
        responses={200: s.GroupSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One group with its members",
        responses={200: s.GroupDetailSerializer, **_UUID_NOT_FOUND},
    ),
    create=extend_schema(
        summary="Create a group",
        request=s.GroupWriteSerializer,
        responses={201: s.GroupDetailSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Rename or re-describe a group",
        request=s.GroupWriteSerializer,
        responses={200: s.GroupDetailSerializer, **_GROUP_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of a group's fields",
        request=s.GroupWriteSerializer,
        responses={200: s.GroupDetailSerializer, **_GROUP_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a group (its members stay members of the organisation)",
        responses={204: OpenApiResponse(description="Deleted."), **_UUID_NOT_FOUND},
    ),
)
class GroupViewSet(TenantViewSet):
    model = Group
    serializer_class = s.GroupSerializer
    lookup_url_kwarg = "group_uuid"
    capabilities = {
        "list": Capability.COURSE_TAKE,
        "retrieve": Capability.COURSE_TAKE,
        "*": Capability.GROUPS_MANAGE,
    }

    def scoped_queryset(self, actor: Membership) -> QuerySet[Group]:
        filters: dict[str, str] = {}
        if self.action == "list":
            form = GroupFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            filters = {key: value.strip() for key, value in form.validated_data.items()}
        queryset = selectors.groups_list(actor=actor, **filters).annotate(
            member_count=Count("group_members")
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "members",
                    queryset=Membership.objects.select_related("user").order_by("user__email"),
                )
            )
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.GroupSerializer if self.action == "list" else s.GroupDetailSerializer

    def _group(self) -> Group:
        return cast(Group, self.get_object())

    def _fresh(self, group: Group) -> Group:
        return self.get_queryset().get(pk=group.pk)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, group_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        form = s.GroupWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        group = groups.group_create(actor=self.actor, **form.validated_data)
        return Response(
            self.get_serializer(self._fresh(group)).data, status=status.HTTP_201_CREATED
        )

    def _update(self, request: Request, *, partial: bool) -> Response:
        group = self._group()
        form = s.GroupWriteSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        groups.group_update(actor=self.actor, group=group, **form.validated_data)
        return Response(self.get_serializer(self._fresh(group)).data)

    def update(self, request: Request, group_uuid: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, group_uuid: str) -> Response:
        return self._update(request, partial=True)

    def destroy(self, request: Request, group_uuid: str) -> Response:
        groups.group_delete(actor=self.actor, group=self._group())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add members to the group",
        description="Members already in the group are skipped. An unknown uuid refuses the whole request.",
        request=s.GroupMembersAddSerializer,
        responses={200: s.GroupMembersAddedSerializer, **_GROUP_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="members")
    def add_members(self, request: Request, group_uuid: str) -> Response:
        group = self._group()
        form = s.GroupMembersAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        added = groups.group_add_members(
            actor=self.actor, group=group, membership_uuids=form.validated_data["members"]
        )
        context = self.get_serializer_context()
        return Response(
            s.GroupMembersAddedSerializer(
                {"added": added, "group": self._fresh(group)}, context=context
            ).data
        )

    @extend_schema(
        summary="Take a member out of the group",
        parameters=[OpenApiParameter("member_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **_UUID_NOT_FOUND},
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_uuid>[^/.]+)")
    def remove_member(self, request: Request, group_uuid: str, member_uuid: str) -> Response:
        group = self._group()
        membership = group.members.filter(uuid=selectors._parse_uuid(member_uuid)).first()
        if membership is None:
            raise NotFound(_("That person is not in this group."))
        groups.group_remove_member(actor=self.actor, group=group, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- API tokens --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your active API tokens",
        responses={200: s.ApiTokenSerializer(many=True), **error_responses(401, 403)},
    ),
    create=extend_schema(
        summary="Create an API token",
        description="The key is in this response only; store it now. Only its hash is kept.",
        request=s.ApiTokenCreateSerializer,
        responses={201: s.ApiTokenIssuedSerializer, **error_responses(400, 401, 403, 409)},
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        responses={204: OpenApiResponse(description="Revoked."), **_UUID_NOT_FOUND},
    ),
)
class ApiTokenViewSet(TenantViewSet):
    model = ApiToken
    serializer_class = s.ApiTokenSerializer
    lookup_url_kwarg = "token_uuid"
    capabilities = {"*": Capability.PROFILE_OWN}

    def scoped_queryset(self, actor: Membership) -> QuerySet[ApiToken]:
        return selectors.api_tokens_of(actor)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        form = s.ApiTokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = accounts.api_token_create(actor=self.actor, name=form.validated_data["name"])
        return Response(s.ApiTokenIssuedSerializer(issued).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, token_uuid: str) -> Response:
        accounts.api_token_revoke(actor=self.actor, token=cast(ApiToken, self.get_object()))
        return Response(status=status.HTTP_204_NO_CONTENT)
