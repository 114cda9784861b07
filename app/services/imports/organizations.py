"""The certification body's organisation records during an import: found or created by folded
name and country, refreshed with what the rows state, written once per batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.domain.changes import merge_organization
from app.domain.names import fold_name
from app.repositories.certificate_import import (
    WriteMethod,
    insert_organizations,
    organizations_by_name_key,
    update_organizations,
)

FOLD_MEMO = 100_000
"""Most folded names remembered per batch (fold_name is pure; a batch folds each name about
three times)."""


@dataclass
class ChangedOrganizations:
    """The organisation records a batch wrote: created and updated ids."""

    created: list[dict[str, Any]] = field(default_factory=list)
    """The new records as inserted (id, name_key, aliases, ...)."""
    updated: set[uuid.UUID] = field(default_factory=set)


class OrganizationRecords:
    """Find-or-create the CB's organisation records for a batch with set-based statements."""

    def __init__(
        self,
        session: Session,
        cb_id: uuid.UUID,
        now: datetime,
        write_method: WriteMethod = "bulk",
    ) -> None:
        self.session = session
        self.write_method = write_method
        self._folded: dict[str, str] = {}
        self.cb_id = cb_id
        self.now = now
        self.by_key: dict[tuple[str, str | None], dict[str, Any]] = {}
        self.by_id: dict[uuid.UUID, dict[str, Any]] = {}
        self.pending: list[dict[str, Any]] = []
        self.pending_ids: set[uuid.UUID] = set()
        self.dirty: dict[uuid.UUID, dict[str, Any]] = {}

    def fold(self, name: str) -> str:
        """fold_name(name), remembered for the batch."""
        folded = self._folded.get(name)
        if folded is None:
            folded = fold_name(name)
            if len(self._folded) < FOLD_MEMO:
                self._folded[name] = folded
        return folded

    def preload(self, name_keys: set[str]) -> None:
        """Load the CB's existing records for these folded names in one query."""
        if not name_keys:
            return
        found = organizations_by_name_key(self.session, self.cb_id, name_keys)
        for existing in (org for orgs in found.values() for org in orgs):
            key = (existing.name_key, existing.country)
            if key in self.by_key:
                continue
            row = {
                "id": existing.id,
                "name": existing.name,
                "country": existing.country,
                "aliases": list(existing.aliases or []),
                "lei": existing.lei,
                "vat": existing.vat,
            }
            self.by_key[key] = row
            self.by_id[existing.id] = row

    def resolve(self, org: dict[str, Any]) -> uuid.UUID:
        """The id of the organisation record matching this entity, creating or refreshing it."""
        key = (self.fold(org["name"]), org.get("country"))
        identifiers = org.get("identifiers") or {}
        lei = identifiers.get("lei")
        wanted = {
            "name": org["name"],
            "aliases": list(org.get("aliases") or []),
            "lei": lei.upper() if lei else None,
            "vat": identifiers.get("vat"),
        }
        row = self.by_key.get(key)
        if row is None:  # preload() already looked for it in the database
            row = {
                "id": uuid.uuid4(),
                "certification_body_id": self.cb_id,
                "name_key": key[0],
                "country": key[1],
                "created_at": self.now,
                "updated_at": self.now,
                **wanted,
            }
            self.pending.append(row)
            self.pending_ids.add(row["id"])
            self.by_key[key] = row
            self.by_id[row["id"]] = row
        if any(row.get(k) != v for k, v in wanted.items()):
            row.update(wanted)
            if row["id"] not in self.pending_ids:
                self.dirty[row["id"]] = row
        return uuid.UUID(str(row["id"]))

    def after_row(self, cert_org: dict[str, Any] | None, stated: dict[str, Any]) -> dict[str, Any]:
        """The organisation after a row that states `stated` of it: the stated parts over the
        record its name and country resolve to (in this batch), else over the certificate's
        current organisation. So a row that renames to an existing organisation never rewrites
        that organisation's other parts, and rows sharing an organisation never undo each other
        (DESIGN.md, "The registry changes only when someone says so")."""
        name = stated.get("name") or (cert_org or {}).get("name")
        country = stated["country"] if "country" in stated else (cert_org or {}).get("country")
        target = self.find(name, country)
        return merge_organization(target if target is not None else cert_org, stated)

    def find(self, name: str | None, country: str | None) -> dict[str, Any] | None:
        """The organisation record (as it stands in this batch) for a name and country."""
        if not name:
            return None
        row = self.by_key.get((self.fold(name), country))
        return self.snapshot(uuid.UUID(str(row["id"]))) if row is not None else None

    def known(self, org_id: uuid.UUID) -> bool:
        """Whether this batch holds the record with this id."""
        return org_id in self.by_id

    def snapshot(self, org_id: uuid.UUID) -> dict[str, Any]:
        """The organisation as it will be after this batch."""
        row = self.by_id[org_id]
        return {
            "name": row["name"],
            "country": row["country"],
            "aliases": list(row["aliases"]),
            "identifiers": {"lei": row["lei"], "vat": row["vat"]},
        }

    def flush(self) -> ChangedOrganizations:
        """Write new and refreshed organisation records; which ones were written."""
        changed = ChangedOrganizations(list(self.pending), set(self.dirty))
        if self.pending:
            insert_organizations(self.session, self.pending, self.write_method)
            self.pending = []
            self.pending_ids = set()
        if self.dirty:
            update_organizations(
                self.session,
                [
                    {
                        "id": r["id"],
                        "name": r["name"],
                        "aliases": r["aliases"],
                        "lei": r["lei"],
                        "vat": r["vat"],
                        "updated_at": self.now,
                    }
                    for r in self.dirty.values()
                ],
                self.write_method,
            )
            self.dirty = {}
        return changed
