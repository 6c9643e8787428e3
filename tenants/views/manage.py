"""The tenant admin UI ("Manage"): members, invitations, groups and the organisation's settings.

Thin views: parse input with a form, call one service or selector, render. A refused change
(Invalid → 400, Conflict → 409) re-renders the page with the service's message next to the
field or at the top, and nothing is changed. Lists are paginated 25 to a page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egl_platform.errors import Conflict, Invalid, NotFound
from egl_platform.jobs import job_start
from tenants.branding import TEXT_ON_BRAND, contrast_ratio
from tenants.decorators import capability_required
from tenants.forms.accounts import add_domain_error
from tenants.forms.manage import (
    GroupAddMembersForm,
    GroupFilterForm,
    GroupForm,
    InvitationForm,
    MemberFilterForm,
    MemberRolesForm,
    TenantSettingsForm,
)
from tenants.models import Group, GroupMember, InvitationStatus, Membership, MembershipStatus
from tenants.permissions import Capability, Role, has_capability
from tenants.selectors import (
    get_group_for,
    get_invitation_for,
    get_membership_for,
    groups_list,
    invitations_list,
    members_list,
)

# Module imports where a view shares its service's name (invitation_resend, group_delete).
from tenants.services import groups as group_services
from tenants.services import invitations as invitation_services
from tenants.services.members import (
    membership_deactivate,
    membership_reactivate,
    membership_set_roles,
)
from tenants.services.tenant_settings import tenant_update_settings

T = "tenants/manage/"
PER_PAGE = 25
MEMBERS_EXPORT_KIND = "members.export_csv"


def _page(request: HttpRequest, items: QuerySet[Any] | list[Any]) -> Page:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not htmx restoring a page from history)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _role_labels(member: Membership) -> list[str]:
    """Labels of the member's roles; learner only when there is nothing else to say."""
    assigned = [Role(role).label for role in member.roles if role != Role.LEARNER]
    return [str(label) for label in assigned] or [str(Role.LEARNER.label)]


# --- members -------------------------------------------------------------------------------------


@capability_required(Capability.MEMBERS_MANAGE)
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """Search and filter the members; htmx asks for the results fragment only."""
    form = MemberFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"search": "", "role": "", "status": ""}
    page = _page(request, members_list(actor=request.membership, **filters))  # type: ignore[attr-defined]
    context = {
        "section": "members",
        "form": form,
        "page_obj": page,
        "rows": [(member, _role_labels(member)) for member in page],
        "filtered": any(filters.values()),
    }
    template = T + ("members.html#results" if _wants_fragment(request) else "members.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _member_groups(member: Membership) -> QuerySet[Group]:
    # Read within the active tenant (the related manager is the tenant-owned one).
    return member.groups.order_by("kind", "name")


def _render_member(
    request: HttpRequest,
    member: Membership,
    *,
    form: MemberRolesForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "section": "members",
        "member": member,
        "role_labels": _role_labels(member),
        "form": form
        or MemberRolesForm(initial={"roles": [r for r in member.roles if r != Role.LEARNER]}),
        "groups": list(_member_groups(member)),
        "error": error,
        "is_self": member.pk == request.membership.pk,  # type: ignore[attr-defined]
    }
    return render(request, T + "member_detail.html", context, status=status)


@capability_required(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, member_uuid: Any) -> HttpResponse:
    """A member's roles, status and groups. POST sets the roles."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    member = get_membership_for(actor, member_uuid)
    if request.method == "GET":
        return _render_member(request, member)
    form = MemberRolesForm(request.POST)
    if not form.is_valid():
        return _render_member(request, member, form=form, status=400)
    try:
        member = membership_set_roles(
            actor=actor, membership=member, roles=form.cleaned_data["roles"]
        )
    except Invalid as error:
        add_domain_error(form, error)
        return _render_member(request, member, form=form, status=400)
    except Conflict as error:
        member.refresh_from_db()  # the checkboxes show the roles as they still are
        return _render_member(request, member, error=str(error.message), status=409)
    messages.success(request, _("The roles of %(name)s were saved.") % {"name": member.user.name})
    if member.pk == actor.pk and not has_capability(member, Capability.MEMBERS_MANAGE):
        return redirect("home")  # gave away their own admin role: this page is no longer theirs
    return redirect("manage:member_detail", member_uuid=member.uuid)


def _change_status(request: HttpRequest, member_uuid: Any, *, deactivate: bool) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    member = get_membership_for(actor, member_uuid)
    try:
        if deactivate:
            membership_deactivate(actor=actor, membership=member)
        else:
            membership_reactivate(actor=actor, membership=member)
    except Conflict as error:
        member.refresh_from_db()
        return _render_member(request, member, error=str(error.message), status=409)
    if deactivate:
        text = _("%(name)s was deactivated. Their courses, comments and results stay.")
    else:
        text = _("%(name)s is active again and can sign in.")
    messages.success(request, text % {"name": member.user.name})
    return redirect("manage:member_detail", member_uuid=member.uuid)


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def member_deactivate(request: HttpRequest, member_uuid: Any) -> HttpResponse:
    """Stop the member signing in here; everything they made stays."""
    return _change_status(request, member_uuid, deactivate=True)


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def member_reactivate(request: HttpRequest, member_uuid: Any) -> HttpResponse:
    return _change_status(request, member_uuid, deactivate=False)


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def members_export(request: HttpRequest) -> HttpResponse:
    """Start the CSV export job and follow it on the job's page."""
    job = job_start(actor=request.membership, kind=MEMBERS_EXPORT_KIND)  # type: ignore[attr-defined]
    return redirect("jobs:detail", job_uuid=job.uuid)


# --- invitations ----------------------------------------------------------------------------------


def _invitation_language(request: HttpRequest) -> str:
    """The tenant's default language when the UI speaks it, else the site's."""
    default = request.tenant.default_language  # type: ignore[attr-defined]
    return default if default in dict(django_settings.LANGUAGES) else django_settings.LANGUAGE_CODE


def _render_invitations(
    request: HttpRequest, *, form: InvitationForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    page = _page(request, invitations_list(actor=request.membership))  # type: ignore[attr-defined]
    open_statuses = (InvitationStatus.PENDING, InvitationStatus.EXPIRED)
    rows = []
    for invitation in page:
        state = invitation.status
        labels = [str(Role(role).label) for role in invitation.roles if role in Role.values] or [
            str(Role.LEARNER.label)
        ]
        rows.append((invitation, labels, state, state in open_statuses))
    context = {
        "section": "invitations",
        "form": form
        or InvitationForm(initial={"language": _invitation_language(request), "roles": []}),
        "page_obj": page,
        "rows": rows,
        "error": error,
        "invitation_days": django_settings.EGL_INVITATION_DAYS,
    }
    return render(request, T + "invitations.html", context, status=status)


@capability_required(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    """Invite someone by e-mail with roles, and see every invitation with its status."""
    if request.method == "GET":
        return _render_invitations(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _render_invitations(request, form=form, status=400)
    try:
        issued = invitation_services.invitation_create(
            actor=request.membership,  # type: ignore[attr-defined]
            email=form.cleaned_data["email"],
            roles=form.cleaned_data["roles"],
            language=form.cleaned_data["language"],
        )
    except Invalid as error:
        add_domain_error(form, error)
        return _render_invitations(request, form=form, status=400)
    messages.success(
        request, _("An invitation is on its way to %(email)s.") % {"email": issued.invitation.email}
    )
    return redirect("manage:invitations")


def _invitation_action(request: HttpRequest, invitation_uuid: Any, *, resend: bool) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    invitation = get_invitation_for(actor, invitation_uuid)
    try:
        if resend:
            invitation_services.invitation_resend(actor=actor, invitation=invitation)
        else:
            invitation_services.invitation_revoke(actor=actor, invitation=invitation)
    except Conflict as error:
        return _render_invitations(request, error=str(error.message), status=409)
    if resend:
        text = _(
            "A new invitation was sent to %(email)s. The link in the earlier e-mail no longer works."
        )
    else:
        text = _("The invitation to %(email)s was withdrawn. Its link no longer works.")
    messages.success(request, text % {"email": invitation.email})
    return redirect("manage:invitations")


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def invitation_resend(request: HttpRequest, invitation_uuid: Any) -> HttpResponse:
    """A fresh link and expiry, e-mailed again; the old link stops working."""
    return _invitation_action(request, invitation_uuid, resend=True)


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_uuid: Any) -> HttpResponse:
    return _invitation_action(request, invitation_uuid, resend=False)


# --- groups -----------------------------------------------------------------------------------------


def _render_groups(
    request: HttpRequest, *, form: GroupForm | None = None, status: int = 200
) -> HttpResponse:
    # Its own ids: the create form on the same page has a "kind" field too.
    filter_form = GroupFilterForm(request.GET or None, auto_id="filter_%s")
    kind = filter_form.kind_value() if filter_form.is_bound else ""
    queryset = groups_list(actor=request.membership, kind=kind).annotate(  # type: ignore[attr-defined]
        member_count=Count("group_members")
    )
    context = {
        "section": "groups",
        "filter_form": filter_form,
        "kind": kind,
        "form": form or GroupForm(initial={"kind": kind or "team"}),
        "page_obj": _page(request, queryset),
    }
    return render(request, T + "groups.html", context, status=status)


@capability_required(Capability.GROUPS_MANAGE)
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest) -> HttpResponse:
    """Teams, regions and departments with their member counts; POST creates a group."""
    if request.method == "GET":
        return _render_groups(request)
    form = GroupForm(request.POST)
    if not form.is_valid():
        return _render_groups(request, form=form, status=400)
    try:
        group = group_services.group_create(actor=request.membership, **form.cleaned_data)  # type: ignore[attr-defined]
    except Invalid as error:
        add_domain_error(form, error)
        return _render_groups(request, form=form, status=400)
    messages.success(request, _("The group “%(name)s” was created.") % {"name": group.name})
    return redirect("manage:group_detail", group_uuid=group.uuid)


def _group_members(group: Group) -> QuerySet[GroupMember]:
    return group.group_members.select_related("membership__user").order_by(
        "membership__user__display_name", "membership__user__email"
    )


def _candidates(group: Group) -> list[tuple[str, str]]:
    """Active members not yet in the group, as (uuid, "name <e-mail>") choices."""
    found = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .exclude(group_members__group=group)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    return [(str(member.uuid), f"{member.user.name} <{member.user.email}>") for member in found]


def _render_group(
    request: HttpRequest,
    group: Group,
    *,
    form: GroupForm | None = None,
    add_form: GroupAddMembersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "section": "groups",
        "group": group,
        "form": form
        or GroupForm(
            initial={"name": group.name, "kind": group.kind, "description": group.description}
        ),
        "add_form": add_form or GroupAddMembersForm(candidates=_candidates(group)),
        "group_members": list(_group_members(group)),
    }
    return render(request, T + "group_detail.html", context, status=status)


@capability_required(Capability.GROUPS_MANAGE)
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_uuid: Any) -> HttpResponse:
    """One group: edit it, see and change who is in it. POST saves name, kind and description."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    group = get_group_for(actor, group_uuid, manage=True)
    if request.method == "GET":
        return _render_group(request, group)
    form = GroupForm(request.POST)
    if not form.is_valid():
        return _render_group(request, group, form=form, status=400)
    try:
        group = group_services.group_update(actor=actor, group=group, **form.cleaned_data)
    except Invalid as error:
        add_domain_error(form, error)
        return _render_group(request, group, form=form, status=400)
    messages.success(request, _("The group “%(name)s” was saved.") % {"name": group.name})
    return redirect("manage:group_detail", group_uuid=group.uuid)


@capability_required(Capability.GROUPS_MANAGE)
@require_POST
def group_delete(request: HttpRequest, group_uuid: Any) -> HttpResponse:
    """Delete the group; the people in it stay members of the organisation."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    group = get_group_for(actor, group_uuid, manage=True)
    name = group.name
    group_services.group_delete(actor=actor, group=group)
    messages.success(
        request,
        _("The group “%(name)s” was deleted. Its members are still members.") % {"name": name},
    )
    return redirect("manage:groups")


@capability_required(Capability.GROUPS_MANAGE)
@require_POST
def group_members_add(request: HttpRequest, group_uuid: Any) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    group = get_group_for(actor, group_uuid, manage=True)
    add_form = GroupAddMembersForm(request.POST, candidates=_candidates(group))
    if not add_form.is_valid():
        return _render_group(request, group, add_form=add_form, status=400)
    try:
        added = group_services.group_add_members(
            actor=actor, group=group, membership_uuids=add_form.cleaned_data["members"]
        )
    except NotFound as error:
        add_form.add_error("members", str(error))
        return _render_group(request, group, add_form=add_form, status=400)
    messages.success(
        request, _("%(count)d added to “%(name)s”.") % {"count": added, "name": group.name}
    )
    return redirect("manage:group_detail", group_uuid=group.uuid)


@capability_required(Capability.GROUPS_MANAGE)
@require_POST
def group_member_remove(request: HttpRequest, group_uuid: Any, member_uuid: Any) -> HttpResponse:
    """Take one person out of the group (they stay a member of the organisation)."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    group = get_group_for(actor, group_uuid, manage=True)
    row = _group_members(group).filter(membership__uuid=member_uuid).first()
    if row is None:
        raise NotFound(_("That person is not in this group."))
    group_services.group_remove_member(actor=actor, group=group, membership=row.membership)
    messages.success(
        request,
        _("%(name)s was removed from “%(group)s”.")
        % {"name": row.membership.user.name, "group": group.name},
    )
    return redirect("manage:group_detail", group_uuid=group.uuid)


# --- settings ------------------------------------------------------------------------------------------


def _render_settings(
    request: HttpRequest, form: TenantSettingsForm, *, status: int = 200
) -> HttpResponse:
    preview = form.preview_colour()
    context = {
        "section": "settings",
        "form": form,
        "preview_colour": preview,
        "preview_ratio": contrast_ratio(TEXT_ON_BRAND, preview),
    }
    return render(request, T + "settings.html", context, status=status)


@capability_required(Capability.TENANT_MANAGE)
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """Name, languages, logo and brand colour. Everything is checked before anything is saved."""
    tenant = request.tenant  # type: ignore[attr-defined]
    if request.method == "GET":
        return _render_settings(request, TenantSettingsForm(tenant=tenant))
    form = TenantSettingsForm(request.POST, request.FILES, tenant=tenant)
    if not form.is_valid():
        return _render_settings(request, form, status=400)
    data = form.cleaned_data
    try:
        tenant_update_settings(
            actor=request.membership,  # type: ignore[attr-defined]
            tenant=tenant,
            name=data["name"],
            languages=data["languages"],
            default_language=data["default_language"],
            brand_colour=data["brand_colour"],
            upload_limit_mb=data.get("upload_limit_mb") or tenant.upload_limit_mb,
            review_reminder_days=(
                tenant.review_reminder_days
                if data.get("review_reminder_days") is None
                else data["review_reminder_days"]
            ),
            allow_public_links=bool(data.get("allow_public_links")),
            logo=data.get("logo"),
            remove_logo=data.get("remove_logo", False),
        )
    except Invalid as error:
        add_domain_error(form, error)
        return _render_settings(request, form, status=400)
    messages.success(request, _("The settings were saved."))
    return redirect("manage:settings")
