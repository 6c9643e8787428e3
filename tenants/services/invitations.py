"""Invitations: an admin invites an e-mail address with roles; the link expires; accepting
creates or links the account and the membership, once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egl_platform.errors import Conflict, Invalid
from tenants.models import Invitation, InvitationStatus, Membership, MembershipStatus, User
from tenants.permissions import Capability, require_capability
from tenants.selectors import tenants_of_user_forget
from tenants.services.audit import audit_record
from tenants.services.members import clean_roles
from tenants.services.tokens import new_secret, secret_hash
from tenants.tenancy import require_active_tenant


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the e-mail; only its hash is stored


def clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(
            _("“%(email)s” is not a valid e-mail address.") % {"email": email or _("(empty)")},
            fields={"email": [_("Enter a valid e-mail address.")]},
        ) from None
    return email


def _schedule_email(invitation: Invitation, token: str) -> None:
    from tenants.tasks import invitation_send_email

    tenant_id = invitation.tenant_id
    transaction.on_commit(
        lambda: invitation_send_email.delay(
            tenant_id=tenant_id, invitation_id=invitation.pk, token=token
        )
    )


def _issue(invitation: Invitation) -> str:
    token = new_secret()
    invitation.token_hash = secret_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.EGL_INVITATION_DAYS)
    invitation.last_sent_at = timezone.now()
    invitation.send_count += 1
    return token


def invitation_create(
    *, actor: Membership, email: str, roles: Iterable[str], language: str = ""
) -> IssuedInvitation:
    """Invite `email` with `roles` and e-mail the link (after commit).

    Refuses, changing nothing: a malformed address, a current member, an address with a
    pending invitation (resend that one instead). An expired pending invitation for the
    same address is revoked and replaced.
    """
    require_capability(actor, Capability.MEMBERS_MANAGE)
    email = clean_email(email)
    wanted_roles = clean_roles(roles)
    tenant = require_active_tenant()
    language = language if language in dict(settings.LANGUAGES) else tenant.default_language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with transaction.atomic():
        if Membership.objects.filter(user__email=email, status=MembershipStatus.ACTIVE).exists():
            raise Invalid(
                _("%(email)s is already a member of this organisation.") % {"email": email},
                fields={"email": [_("Already a member.")]},
            )
        open_invitation = (
            Invitation.objects.select_for_update()
            .filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if open_invitation is not None:
            if open_invitation.status == InvitationStatus.PENDING:
                raise Invalid(
                    _("%(email)s has already been invited. Resend that invitation instead.")
                    % {"email": email},
                    fields={"email": [_("Already invited.")]},
                )
            open_invitation.revoked_at = timezone.now()
            open_invitation.save(update_fields=["revoked_at"])
        invitation = Invitation(
            email=email, roles=wanted_roles, invited_by=actor, language=language
        )
        token = _issue(invitation)
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            # Another admin invited the same address a moment ago.
            raise Invalid(
                _("%(email)s has already been invited. Resend that invitation instead.")
                % {"email": email},
                fields={"email": [_("Already invited.")]},
            ) from None
        audit_record(
            actor=actor,
            verb="invitation.created",
            target=invitation,
            email=email,
            roles=wanted_roles,
        )
        _schedule_email(invitation, token)
    return IssuedInvitation(invitation, token)


def _lock_unfinished(invitation: Invitation) -> Invitation:
    """The invitation's row, locked; Conflict when it was already accepted or revoked."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise Conflict(
            _("This invitation was already %(status)s.") % {"status": locked.status.label.lower()}
        )
    return locked


def invitation_resend(*, actor: Membership, invitation: Invitation) -> IssuedInvitation:
    """A new link (the old one stops working) with a fresh expiry, e-mailed again."""
    require_capability(actor, Capability.MEMBERS_MANAGE)
    with transaction.atomic():
        locked = _lock_unfinished(invitation)
        token = _issue(locked)
        locked.save(update_fields=["token_hash", "expires_at", "last_sent_at", "send_count"])
        audit_record(actor=actor, verb="invitation.resent", target=locked)
        _schedule_email(locked, token)
    return IssuedInvitation(locked, token)


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    with transaction.atomic():
        locked = _lock_unfinished(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, verb="invitation.revoked", target=locked)
    return locked


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind a link, or Invalid saying why the link cannot be used."""
    invitation = Invitation.objects.filter(token_hash=secret_hash(token or "")).first()
    if invitation is None:
        raise Invalid(_("This invitation link is not valid. Check that you copied the whole link."))
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise Invalid(
            _(
                "This invitation has already been used. Sign in with your e-mail address and password."
            )
        )
    if status == InvitationStatus.REVOKED:
        raise Invalid(
            _("This invitation was withdrawn. Ask an admin of the organisation for a new one.")
        )
    if status == InvitationStatus.EXPIRED:
        raise Invalid(
            _("This invitation has expired. Ask an admin of the organisation to send it again.")
        )
    return invitation


def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    display_name: str = "",
    password: str = "",
    language: str = "",
) -> Membership:
    """Accept: link the signed-in `user`, or create the account from name and password.

    The invited address must be the account's address. A link works once. A deactivated
    member who is invited again is reactivated with the invited roles.
    """
    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_for_token(token)  # re-check under the lock: two tabs, one link
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise Invalid(
                    _("An account for %(email)s exists already. Sign in to accept.")
                    % {"email": invitation.email}
                )
            display_name = display_name.strip()
            if not display_name:
                raise Invalid(
                    _("Please enter your name."),
                    fields={"display_name": [_("This field is required.")]},
                )
            candidate = User(email=invitation.email, display_name=display_name)
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                raise Invalid(
                    " ".join(error.messages), fields={"password": list(error.messages)}
                ) from None
            user = User.objects.create_user(
                invitation.email,
                password,
                display_name=display_name,
                language=language if language in dict(settings.LANGUAGES) else invitation.language,
            )
        elif user.email.lower() != invitation.email:
            raise Invalid(
                _("This invitation is for %(invited)s, but you are signed in as %(current)s.")
                % {"invited": invitation.email, "current": user.email}
            )
        membership = Membership.objects.filter(user=user).first()
        if membership is not None and membership.is_active:
            raise Conflict(_("You are already a member of this organisation."))
        if membership is None:
            membership = Membership(user=user)
        membership.set_roles(invitation.roles)
        membership.status = MembershipStatus.ACTIVE
        membership.deactivated_at = None
        membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_membership = membership
        invitation.save(update_fields=["accepted_at", "accepted_membership"])
        audit_record(actor=membership, verb="invitation.accepted", target=invitation)
        user_id = user.pk
        transaction.on_commit(lambda: tenants_of_user_forget(user_id))
    return membership
