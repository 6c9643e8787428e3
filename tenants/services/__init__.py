"""Writes for tenants, members, invitations, groups, tokens and accounts.

Every service takes keyword-only arguments including the acting membership, checks
permission through tenants.permissions, runs in one transaction, writes an audit event
and sends follow-up work (e-mail, jobs) only once the transaction has committed.
"""
