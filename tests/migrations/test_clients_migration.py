"""Migration 0010: clients made for existing keys, ownership moved from keys to clients, and a
downgrade that gives everything back to a key of its client (issue 14, part 2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect

from app.db import make_engine
from app.migrate import downgrade, upgrade
from tests.conftest import drop_database, fresh_database_url

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TS = sa.DateTime(timezone=True)


def _table(name: str, *columns: tuple[str, Any]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column, kind) for column, kind in columns))


CB = _table(
    "certification_bodies",
    ("id", sa.Uuid()),
    ("name", sa.String()),
    ("name_key", sa.String()),
    ("created_at", TS),
    ("updated_at", TS),
)
AB = _table(
    "accreditation_bodies",
    ("id", sa.Uuid()),
    ("acronym", sa.String()),
    ("acronym_key", sa.String()),
    ("name", sa.String()),
    ("mla_scopes_complete", sa.Boolean()),
    ("reference_data", sa.Boolean()),
    ("uncertain", sa.Boolean()),
    ("created_at", TS),
    ("updated_at", TS),
)
STANDARDS = _table(
    "standards",
    ("id", sa.Uuid()),
    ("code", sa.String()),
    ("code_key", sa.String()),
    ("edition", sa.String()),
    ("title", sa.String()),
    ("uses_iaf_sectors", sa.Boolean()),
    ("uncertain", sa.Boolean()),
    ("in_mla_scope", sa.Boolean()),
    ("amendments", sa.JSON()),
)
ORGANIZATIONS = _table(
    "organizations",
    ("id", sa.Uuid()),
    ("certification_body_id", sa.Uuid()),
    ("name", sa.String()),
    ("name_key", sa.String()),
    ("aliases", sa.JSON()),
    ("created_at", TS),
    ("updated_at", TS),
)
CERTIFICATES = _table(
    "certificates",
    ("id", sa.Uuid()),
    ("certification_body_id", sa.Uuid()),
    ("organization_id", sa.Uuid()),
    ("standard_id", sa.Uuid()),
    ("certificate_number", sa.String()),
    ("number_key", sa.String()),
    ("scope", sa.String()),
    ("sectors", sa.JSON()),
    ("issue_date", sa.Date()),
    ("expiry_date", sa.Date()),
    ("confidential", sa.Boolean()),
    ("created_at", TS),
    ("updated_at", TS),
)
KEY_COLUMNS = (
    ("id", sa.Uuid()),
    ("prefix", sa.String()),
    ("secret_hash", sa.String()),
    ("role", sa.String()),
    ("body_id", sa.Uuid()),
    ("name", sa.String()),
    ("created_at", TS),
    ("revoked_at", TS),
)
KEYS = _table("api_keys", *KEY_COLUMNS)
KEYS_10 = _table("api_keys", *KEY_COLUMNS, ("client_id", sa.Uuid()))
CLIENTS = _table(
    "clients",
    ("id", sa.Uuid()),
    ("kind", sa.String()),
    ("name", sa.String()),
    ("body_id", sa.Uuid()),
    ("disabled_at", TS),
    ("created_at", TS),
)


def _owned(owner: str) -> dict[str, sa.TableClause]:
    """watches, webhook_endpoints and outbox_events with the owner column of a revision."""
    return {
        "watches": _table(
            "watches",
            ("id", sa.Uuid()),
            (owner, sa.Uuid()),
            ("certificate_id", sa.Uuid()),
            ("created_at", TS),
        ),
        "webhook_endpoints": _table(
            "webhook_endpoints",
            ("id", sa.Uuid()),
            (owner, sa.Uuid()),
            ("url", sa.String()),
            ("events", sa.JSON()),
            ("secret", sa.String()),
            ("enabled", sa.Boolean()),
            ("created_at", TS),
            ("updated_at", TS),
        ),
        "outbox_events": _table(
            "outbox_events",
            ("id", sa.Uuid()),
            ("event_type", sa.String()),
            (owner, sa.Uuid()),
            ("payload", sa.JSON()),
            ("created_at", TS),
        ),
    }


DELIVERIES = _table(
    "webhook_deliveries",
    ("id", sa.Uuid()),
    ("endpoint_id", sa.Uuid()),
    ("event_id", sa.Uuid()),
    ("status", sa.String()),
    ("attempts", sa.Integer()),
    ("next_attempt_at", TS),
    ("created_at", TS),
)
ATTEMPTS = _table(
    "delivery_attempts",
    ("id", sa.Uuid()),
    ("delivery_id", sa.Uuid()),
    ("attempted_at", TS),
    ("duration_ms", sa.Integer()),
)
VERIFICATIONS = _table(
    "verifications",
    ("id", sa.Uuid()),
    ("api_key_id", sa.Uuid()),
    ("checked_at", TS),
    ("as_of", sa.Date()),
    ("verdict", sa.String()),
    ("response", sa.JSON()),
)


def _key(
    conn: sa.Connection,
    table: sa.TableClause,
    *,
    role: str,
    prefix: str,
    body_id: uuid.UUID | None = None,
    name: str | None = None,
    age_days: int = 0,
    revoked: bool = False,
    **extra: Any,
) -> uuid.UUID:
    key_id = uuid.uuid4()
    conn.execute(
        sa.insert(table).values(
            id=key_id,
            prefix=prefix,
            secret_hash="h" * 64,
            role=role,
            body_id=body_id,
            name=name,
            created_at=NOW - timedelta(days=age_days),
            revoked_at=NOW if revoked else None,
            **extra,
        )
    )
    return key_id


def _resources(
    conn: sa.Connection, tables: dict[str, sa.TableClause], owner: str, who: uuid.UUID, cert: Any
) -> dict[str, uuid.UUID]:
    """A watch, an endpoint, an event and a delivery of it (with one attempt) owned by `who`."""
    ids = {name: uuid.uuid4() for name in ("watch", "endpoint", "event", "delivery")}
    conn.execute(
        sa.insert(tables["watches"]).values(
            id=ids["watch"], certificate_id=cert, created_at=NOW, **{owner: who}
        )
    )
    conn.execute(
        sa.insert(tables["webhook_endpoints"]).values(
            id=ids["endpoint"],
            url="https://93.184.216.34/hook",
            events=[],
            secret="whsec_x",
            enabled=True,
            created_at=NOW,
            updated_at=NOW,
            **{owner: who},
        )
    )
    conn.execute(
        sa.insert(tables["outbox_events"]).values(
            id=ids["event"],
            event_type="certificate.verdict_changed",
            payload={},
            created_at=NOW,
            **{owner: who},
        )
    )
    conn.execute(
        sa.insert(DELIVERIES).values(
            id=ids["delivery"],
            endpoint_id=ids["endpoint"],
            event_id=ids["event"],
            status="pending",
            attempts=1,
            next_attempt_at=NOW,
            created_at=NOW,
        )
    )
    conn.execute(
        sa.insert(ATTEMPTS).values(
            id=uuid.uuid4(), delivery_id=ids["delivery"], attempted_at=NOW, duration_ms=5
        )
    )
    return ids


def _registry(conn: sa.Connection) -> dict[str, uuid.UUID]:
    """A CB, an AB and two certificates of the CB."""
    ids = {name: uuid.uuid4() for name in ("cb", "ab", "standard", "org", "cert1", "cert2")}
    conn.execute(
        sa.insert(CB).values(
            id=ids["cb"],
            name="Harbour Certification Ltd",
            name_key="harbour certification",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    conn.execute(
        sa.insert(AB).values(
            id=ids["ab"],
            acronym="HAB",
            acronym_key="HAB",
            name="Harbour Accreditation Board",
            mla_scopes_complete=True,
            reference_data=False,
            uncertain=False,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    conn.execute(
        sa.insert(STANDARDS).values(
            id=ids["standard"],
            code="ISO 9001",
            code_key="ISO9001",
            edition="2015",
            title="Quality management systems",
            uses_iaf_sectors=True,
            uncertain=False,
            in_mla_scope=True,
            amendments=[],
        )
    )
    conn.execute(
        sa.insert(ORGANIZATIONS).values(
            id=ids["org"],
            certification_body_id=ids["cb"],
            name="Acme",
            name_key="acme",
            aliases=[],
            created_at=NOW,
            updated_at=NOW,
        )
    )
    for cert in ("cert1", "cert2"):
        conn.execute(
            sa.insert(CERTIFICATES).values(
                id=ids[cert],
                certification_body_id=ids["cb"],
                organization_id=ids["org"],
                standard_id=ids["standard"],
                certificate_number=cert.upper(),
                number_key=cert.upper(),
                scope="Widgets",
                sectors=[18],
                issue_date=NOW.date(),
                expiry_date=NOW.date() + timedelta(days=365),
                confidential=False,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return ids


def _owners(conn: sa.Connection, tables: dict[str, sa.TableClause], owner: str) -> dict[Any, Any]:
    """Each owned row's owner, by row id, over the three tables."""
    found: dict[Any, Any] = {}
    for table in tables.values():
        found |= dict(conn.execute(sa.select(table.c.id, table.c[owner])).all())
    return found


def test_clients_are_made_for_existing_keys_and_own_what_the_keys_owned(tmp_path: Path) -> None:
    """One client per body binding (named after the body, with the oldest key's id) and one per
    unbound key (its id and name); keys, watches, endpoints and events move to their client;
    stored verifications keep the key that made them. Downgrade gives each resource to its
    client's oldest key not revoked (else its oldest), drops what a keyless client owned, and
    the round trip upgrades again."""
    url = fresh_database_url(tmp_path, "clients")
    upgrade(url, "0009")
    engine = make_engine(url)
    before = _owned("api_key_id")
    with engine.begin() as conn:
        reg = _registry(conn)
        cb_old = _key(
            conn,
            KEYS,
            role="certification_body",
            prefix="cb01",
            body_id=reg["cb"],
            age_days=2,
            revoked=True,
        )
        cb_new = _key(
            conn, KEYS, role="certification_body", prefix="cb02", body_id=reg["cb"], age_days=1
        )
        ab_key = _key(conn, KEYS, role="accreditation_body", prefix="ab01", body_id=reg["ab"])
        admin = _key(conn, KEYS, role="admin", prefix="ad01", name="ops")
        acme = _key(conn, KEYS, role="client", prefix="ac01", name="Acme procurement")
        gone = _key(conn, KEYS, role="client", prefix="b0b0b0b0b0b0", revoked=True)
        acme_owns = _resources(conn, before, "api_key_id", acme, reg["cert1"])
        gone_owns = _resources(conn, before, "api_key_id", gone, reg["cert2"])
        conn.execute(
            sa.insert(before["watches"]).values(
                id=(admin_watch := uuid.uuid4()),
                api_key_id=admin,
                certificate_id=reg["cert2"],
                created_at=NOW,
            )
        )
        conn.execute(
            sa.insert(VERIFICATIONS).values(
                id=uuid.uuid4(),
                api_key_id=cb_old,
                checked_at=NOW,
                as_of=NOW.date(),
                verdict="valid",
                response={},
            )
        )

    upgrade(url, "0010")

    after = _owned("client_id")
    with engine.connect() as conn:
        clients = {
            row.id: (row.kind, row.name, row.body_id, row.disabled_at)
            for row in conn.execute(sa.select(CLIENTS))
        }
        key_clients = dict(conn.execute(sa.select(KEYS_10.c.id, KEYS_10.c.client_id)).all())
        owners = _owners(conn, after, "client_id")
        made_by = conn.scalar(sa.select(VERIFICATIONS.c.api_key_id))
    assert clients == {
        cb_old: ("certification_body", "Harbour Certification Ltd", reg["cb"], None),
        ab_key: ("accreditation_body", "Harbour Accreditation Board", reg["ab"], None),
        admin: ("admin", "ops", None, None),
        acme: ("client", "Acme procurement", None, None),
        gone: ("client", "client key b0b0b0b0b0b0", None, None),
    }
    assert key_clients == {
        cb_old: cb_old,
        cb_new: cb_old,
        ab_key: ab_key,
        admin: admin,
        acme: acme,
        gone: gone,
    }
    assert owners == {
        **{acme_owns[k]: acme for k in ("watch", "endpoint", "event")},
        **{gone_owns[k]: gone for k in ("watch", "endpoint", "event")},
        admin_watch: admin,
    }
    assert made_by == cb_old

    with engine.begin() as conn:  # acme rotates; a client without any key owns things too
        acme_2 = _key(conn, KEYS_10, role="client", prefix="ac02", client_id=acme, age_days=-1)
        conn.execute(sa.update(KEYS_10).where(KEYS_10.c.id == acme).values(revoked_at=NOW))
        conn.execute(
            sa.insert(CLIENTS).values(
                id=(keyless := uuid.uuid4()),
                kind="client",
                name="keyless",
                body_id=None,
                created_at=NOW,
            )
        )
        keyless_owns = _resources(conn, after, "client_id", keyless, reg["cert1"])

    downgrade(url, "0009")

    with engine.connect() as conn:
        assert "clients" not in inspect(conn).get_table_names()
        assert "client_id" not in {c["name"] for c in inspect(conn).get_columns("api_keys")}
        owners = _owners(conn, before, "api_key_id")
        deliveries = set(conn.execute(sa.select(DELIVERIES.c.id)).scalars())
        attempts = set(conn.execute(sa.select(ATTEMPTS.c.delivery_id)).scalars())
    assert owners == {
        **{acme_owns[k]: acme_2 for k in ("watch", "endpoint", "event")},
        **{gone_owns[k]: gone for k in ("watch", "endpoint", "event")},
        admin_watch: admin,
    }
    assert keyless_owns["watch"] not in owners
    assert deliveries == attempts == {acme_owns["delivery"], gone_owns["delivery"]}

    upgrade(url, "0010")
    with engine.connect() as conn:
        assert _owners(conn, after, "client_id")[acme_owns["watch"]] == acme_2
    engine.dispose()
    drop_database(url)
