"""The xAPI statement store (DESIGN.md §8): every learning event as an xAPI 1.0.3 statement.

Statements arrive as events from the courses app (a signal carrying the statement); the store
keeps the statement as sent, plus the columns queries filter on. A later issue opens it as a
full LRS over HTTP; DESIGN.md §14 partitions it by time once it grows.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.tenancy import TenantOwnedModel


class Statement(TenantOwnedModel):
    statement_id = models.UUIDField(default=uuid.uuid4, editable=False)
    verb = models.CharField(max_length=200)  # the verb's IRI
    object_id = models.CharField(max_length=500)  # the activity's IRI
    # The actor's account name (the membership uuid) or mbox, for per-learner queries.
    actor_key = models.CharField(max_length=200)
    registration = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField(default=timezone.now, editable=False)
    payload = models.JSONField(_("statement"))

    class Meta:
        ordering = ("-stored", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "statement_id"], name="statement_id_once"),
        ]
        indexes = [
            models.Index(fields=["tenant", "stored"], name="statement_stored"),
            models.Index(fields=["tenant", "object_id", "verb"], name="statement_object"),
            models.Index(fields=["tenant", "actor_key", "timestamp"], name="statement_actor"),
            models.Index(fields=["tenant", "registration"], name="statement_registration"),
        ]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return f"{self.verb} {self.object_id}"
