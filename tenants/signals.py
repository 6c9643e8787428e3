"""Signals other apps listen to; tenants never imports them (DESIGN.md §2: imports go one way).

`membership_deactivated(sender=Membership, membership=…, actor=…)` is sent inside the
deactivation's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

membership_deactivated = Signal()
