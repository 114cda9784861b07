"""Queries about watches: which client follows which certificate (re-evaluated only while the
client is active: app/repositories/keys.py client_is_active)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Certificate, Watch
from app.repositories.bulk import CHUNK
from app.repositories.keys import client_is_active


def get_watch(session: Session, watch_id: uuid.UUID) -> Watch | None:
    """One watch, whoever owns it."""
    return session.get(Watch, watch_id)


def watch_of_client_on_certificate(
    session: Session, client_id: uuid.UUID, certificate_id: uuid.UUID
) -> Watch | None:
    """The client's watch on this certificate, if it has one."""
    return session.scalars(
        select(Watch).where(Watch.client_id == client_id, Watch.certificate_id == certificate_id)
    ).first()


def watches_of_client(
    session: Session, client_id: uuid.UUID | None, *, offset: int, limit: int
) -> Sequence[Watch]:
    """The client's watches, oldest first, a page at a time."""
    return session.scalars(
        select(Watch)
        .where(Watch.client_id == client_id)
        .order_by(Watch.created_at, Watch.id)
        .offset(offset)
        .limit(limit)
    ).all()


def every_active_watch(session: Session) -> list[Watch]:
    """Every watch of an active client, by certificate."""
    return list(
        session.scalars(
            select(Watch).where(client_is_active(Watch.client_id)).order_by(Watch.certificate_id)
        )
    )


def active_watches_of_certificates(
    session: Session, certificate_ids: Iterable[uuid.UUID]
) -> list[Watch]:
    """The watches of active clients on these certificates, CHUNK ids per query (an import may
    touch a million)."""
    ids = list(certificate_ids)
    watches: list[Watch] = []
    for start in range(0, len(ids), CHUNK):
        watches += session.scalars(
            select(Watch).where(
                Watch.certificate_id.in_(ids[start : start + CHUNK]),
                client_is_active(Watch.client_id),
            )
        )
    return watches


def watched_certificates_of_certification_bodies(
    session: Session, certification_body_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """The watched certificates these CBs issued."""
    return set(
        session.scalars(
            select(Watch.certificate_id)
            .join(Certificate, Certificate.id == Watch.certificate_id)
            .where(Certificate.certification_body_id.in_(list(certification_body_ids)))
        )
    )
