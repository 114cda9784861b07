"""Procurement integration: `watches` re-evaluate watched certificates and write their events to
the outbox, `outbox` subscribes that re-evaluation to the commits of writes (installed by the
entry points), `webhooks` manages endpoints and their URL safety, `delivery` sends Standard
Webhooks with retries, `worker` runs delivery and scheduled re-evaluation."""
