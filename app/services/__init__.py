"""Orchestration: load facts through repositories, call the domain, write changes.

By area: `registry/` (bodies, accreditations, certificates, reference data), `verification/`
(the answer, fact mapping and cache, receipts, batch, search), `imports/` (file formats and the
certificate and accreditation imports, export), `integration/` (watches, outbox, webhooks,
delivery, worker); `auth` (keys and principals) and `audit` (the audit trail) serve them all.
No query here: every one is in app/repositories/ (import-linter, `make lint`).
"""
