"""Procurement integration: `watches` re-evaluate watched certificates and write their events to
the outbox (`outbox`), `webhooks` manages endpoints and their URL safety, `delivery` sends
Standard Webhooks with retries, `worker` runs delivery and scheduled re-evaluation."""
