"""API shapes for the current user, members, invitations, groups and API tokens.

Explicit fields only; `tenant` is never a field and integer ids never leave the server —
objects are named by their uuid. Input and output shapes are separate where they differ.
Serializers parse and present; the writes happen in tenants.services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tenants.models import (
    ApiToken,
    Group,
    GroupKind,
    Invitation,
    InvitationStatus,
    Membership,
    MembershipStatus,
)
from tenants.permissions import Role, capabilities_for_roles

# --- me ----------------------------------------------------------------------------------------


class MeUserSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    language = serializers.CharField(
        read_only=True, help_text="UI language; empty: follow the browser."
    )


class MeMembershipSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    capabilities = serializers.SerializerMethodField()

    def get_capabilities(self, membership: Membership) -> list[str]:
        return sorted(str(capability) for capability in capabilities_for_roles(membership.roles))


class MeTenantSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)


class MeSerializer(serializers.Serializer):
    """Built from {"user", "membership", "tenant"} of the acting membership."""

    user = MeUserSerializer(read_only=True)
    membership = MeMembershipSerializer(read_only=True)
    tenant = MeTenantSerializer(read_only=True)


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(required=False, max_length=120, allow_blank=True)
    language = serializers.ChoiceField(
        required=False,
        choices=[("", _("Follow the browser")), *settings.LANGUAGES],
        allow_blank=True,
    )


# --- members -----------------------------------------------------------------------------------


class GroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ("uuid", "name", "kind")
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    status = serializers.ChoiceField(choices=MembershipStatus.choices, read_only=True)
    groups = GroupRefSerializer(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = (
            "uuid",
            "email",
            "display_name",
            "roles",
            "status",
            "groups",
            "created_at",
            "deactivated_at",
        )
        read_only_fields = fields


class MemberRolesSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        allow_empty=True,
        max_length=len(Role.values),
        help_text="The complete set of roles; every member is a learner whether named or not.",
    )


class MemberRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = Membership
        fields = ("uuid", "display_name")
        read_only_fields = fields


# --- invitations -------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as admins see it. Its link token is never shown: it is e-mailed."""

    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = MemberRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = (
            "uuid",
            "email",
            "roles",
            "status",
            "language",
            "invited_by",
            "created_at",
            "expires_at",
            "last_sent_at",
            "send_count",
            "accepted_at",
            "revoked_at",
        )
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, help_text="The address to invite.")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        allow_empty=True,
        max_length=len(Role.values),
        default=list,
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="Language of the e-mail; default: the organisation's.",
    )


# --- groups ------------------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Group
        fields: tuple[str, ...] = (
            "uuid",
            "name",
            "kind",
            "description",
            "member_count",
            "created_at",
        )
        read_only_fields = fields


class GroupDetailSerializer(GroupSerializer):
    members = MemberRefSerializer(many=True, read_only=True)

    class Meta(GroupSerializer.Meta):
        fields = (*GroupSerializer.Meta.fields, "members")
        read_only_fields = fields


class GroupWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=GroupKind.choices, default=GroupKind.TEAM)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GroupMembersAddSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=False, max_length=1000
    )


class GroupMembersAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(
        help_text="How many were added; members already in the group are skipped."
    )
    group = GroupDetailSerializer()


# --- API tokens --------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = ("uuid", "name", "prefix", "created_at", "last_used_at")
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, help_text="What the token is for, e.g. “HR sync”.")


class ApiTokenIssuedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="Shown once. Send it as `Authorization: Bearer <key>`."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "key")
        read_only_fields = fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # `instance` is an IssuedToken: the token row and its key, once.
        data = super().to_representation(instance.token)
        data["key"] = instance.key
        return data
