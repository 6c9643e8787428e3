"""The base of every API viewset: the queryset is built here, in the tenant scope, from the
subclass's selector; subclasses may not override get_queryset (a class check refuses it)."""

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import viewsets

from egl_platform.errors import NotFound
from egl_platform.rest.permissions import request_membership
from tenants.models import Membership
from tenants.tenancy import require_active_tenant


class TenantViewSet(viewsets.GenericViewSet):
    lookup_field = "uuid"
    # The model the scoped queryset returns; the schema generator reads it (with no tenant
    # active, so it must not touch the fail-closed manager).
    model: type[Model] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; implement scoped_queryset(actor) instead"
            )

    @property
    def actor(self) -> Membership:
        membership = request_membership(self.request)
        if membership is None:  # the permission check ran first; this is defence in depth
            raise NotFound(_("Not found."))
        return membership

    def scoped_queryset(self, actor: Membership) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no tenant, no rows
            return QuerySet(model=self.model).none()
        require_active_tenant()
        return self.scoped_queryset(self.actor)

    def get_object(self) -> Model:
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            obj = self.filter_queryset(self.get_queryset()).get(**{self.lookup_field: lookup})
        except (self.get_queryset().model.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Not found.")) from None
        except Exception as error:  # malformed UUIDs raise ValidationError from the field
            if type(error).__name__ == "ValidationError":
                raise NotFound(_("Not found.")) from None
            raise
        self.check_object_permissions(self.request, obj)
        return obj
