"""Read certificate files (CSV or JSON Lines, our columns or IAF MD 28 ones) into canonical rows."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from app.schemas.common import multi_line, single_line
from app.services.safe_text import MAX_CSV_CELL, UnreadableJson, load_json, spreadsheet_literal

# Our column name -> the header names accepted for it (compared lower-cased, spaces collapsed).
# IAF MD 28 names come from the IAF CertSearch certification data fields glossary (v1.1-v2.1).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "certificate_number": ("certificate_number", "certificate number", "certificate no"),
    "certificate_id": ("certificate_id",),
    "certification_body": ("certification_body", "certification_body_id", "certification body"),
    "status": ("status", "certification status"),
    "status_effective_from": ("status_effective_from", "status effective from", "status date"),
    "status_reason": ("status_reason", "status reason"),
    "status_history": ("status_history", "status history"),
    "organization_name": ("organization_name", "organization", "certified entity name"),
    "organization_country": (
        "organization_country",
        "country",
        "certified entity country",
        "business registered country",
    ),
    "organization_aliases": ("organization_aliases", "aliases"),
    "lei": ("lei", "organization_lei"),
    "vat": ("vat", "organization_vat"),
    "standard": ("standard", "standards/schemes", "standards", "standard/scheme"),
    "scope": ("scope", "certification scope"),
    "sectors": ("sectors", "sector code", "sector codes", "iaf sectors"),
    "site_name": ("site_name", "certification site name"),
    "site_address": ("site_address", "certification site address"),
    "site_country": ("site_country", "certification site country"),
    "original_issue_date": ("original_issue_date", "certification original issue date"),
    "issue_date": ("issue_date", "certification issue date"),
    "expiry_date": ("expiry_date", "certification expiry date"),
    "confidential": ("confidential", "confidential certified entity"),
}
# Only the number is needed to find a certificate; a new certificate also needs the organisation's
# name, the standard, the issue and the expiry date (a row error when its cells are missing).
REQUIRED = ("certificate_number",)
# IAF MD 28 headers used when exporting in that layout (round trip).
MD28_HEADERS: dict[str, str] = {
    "certificate_number": "Certificate Number",
    "status": "Certification Status",
    "organization_name": "Certified Entity Name",
    "organization_country": "Certified Entity Country",
    "standard": "Standards/schemes",
    "scope": "Certification Scope",
    "sectors": "Sector code",
    "site_address": "Certification site address",
    "site_country": "Certification site country",
    "original_issue_date": "Certification Original Issue Date",
    "issue_date": "Certification Issue Date",
    "expiry_date": "Certification Expiry Date",
    "confidential": "Confidential Certified Entity",
}
LIST_SEPARATOR = "|"
_SPACES = re.compile(r"\s+")
_COMPACT_DATE = re.compile(r"^[0-9]{8}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, header)."""


@dataclass
class RawRow:
    """One data row: its 1-based row number in the file and its values by our column names."""

    row: int
    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class Header:
    """How a file's columns were understood."""

    columns: dict[str, str]
    ignored: list[str]


def _norm(header: str) -> str:
    return _SPACES.sub(" ", header.replace("\ufeff", "")).strip().lower()


@dataclass(frozen=True)
class Layout:
    """The columns a kind of file has: our names, their accepted aliases, the required ones."""

    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    not_stored: frozenset[str] = frozenset()
    """Header names (lower case) of columns a standard template has and the registry does not
    hold: accepted without `ignore_unknown_columns`, listed in `ignored_columns`."""

    @property
    def lookup(self) -> dict[str, str]:
        """alias -> our name."""
        return {alias: name for name, aliases in self.aliases.items() for alias in aliases}


IAF_NOT_STORED = frozenset(
    {
        "certification identity number",
        "certification type",
        "accreditation status",
        "certified entity unique id",
        "business registered address",
        "sector name",
    }
)
"""IAF CertSearch certification fields (IAF MD 28 glossary v1.1-v2.1, the fields beside those
in COLUMN_ALIASES) that the registry does not store: the CB's internal id, the main scope type,
the accreditation status it claims (verification checks the accreditation itself), the certified
entity's CertSearch id and registered address, and the sector name (the code is imported)."""
CERTIFICATES = Layout(COLUMN_ALIASES, REQUIRED, IAF_NOT_STORED)
ACCREDITATIONS = Layout(
    {
        "certification_body": ("certification_body", "certification body", "cb"),
        "accreditation_number": ("accreditation_number", "accreditation number"),
        "standard": ("standard", "standards/schemes", "standards"),
        "sectors": ("sectors", "sector code", "sector codes", "iaf sectors"),
        "valid_from": ("valid_from", "valid from", "accreditation date"),
        "valid_until": ("valid_until", "valid until", "accreditation expiry date"),
        "status": ("status", "accreditation status"),
        "status_effective_from": ("status_effective_from", "status effective from"),
        "status_reason": ("status_reason", "status reason"),
    },
    ("certification_body", "accreditation_number", "standard", "valid_from"),
)


def unknown_names_problem(unknown: list[str], layout: Layout, what: str = "column") -> FileProblem:
    """The file-level error for names the layout does not know: lists them and the known ones,
    so a typo never vanishes silently (DESIGN.md, "The registry changes only when someone says
    so")."""
    known = ", ".join(layout.aliases)
    listed = ", ".join(repr(n) for n in unknown)
    return FileProblem(
        f"unknown {what}(s) {listed}; the known ones are {known} (or their IAF MD 28 names); "
        "send ignore_unknown_columns=true to import without them"
    )


def understand_header(
    names: Iterable[str], layout: Layout = CERTIFICATES, *, ignore_unknown: bool = False
) -> Header:
    """Map the file's column names to ours; FileProblem for missing required or unknown columns
    (unknown ones are listed in `ignored` instead when `ignore_unknown`)."""
    columns: dict[str, str] = {}
    ignored: list[str] = []
    unknown: list[str] = []
    lookup = layout.lookup
    for raw in names:
        key = _norm(raw)
        ours = lookup.get(key)
        if ours is None:
            ignored.append(raw)
            if key not in layout.not_stored:
                unknown.append(raw)
        elif ours in columns:
            raise FileProblem(f"columns {columns[ours]!r} and {raw!r} both mean {ours}")
        else:
            columns[ours] = raw
    missing = [name for name in layout.required if name not in columns]
    if missing:
        expected = ", ".join(
            f"{m} (or {layout.aliases[m][-1]!r})" if layout.aliases[m][-1] != m else m
            for m in missing
        )
        raise FileProblem(f"missing required column(s): {expected}")
    if unknown and not ignore_unknown:
        raise unknown_names_problem(unknown, layout)
    return Header(columns=columns, ignored=ignored)


def utf8_lines(stream: BinaryIO, chunk_size: int = 1 << 16) -> Iterator[str]:
    """Decode a byte stream as UTF-8 (BOM allowed) incrementally; FileProblem on a bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    pending = ""
    while True:
        chunk = stream.read(chunk_size)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"the file is not valid UTF-8 (bad byte at offset {offset + exc.start}); "
                "save it as UTF-8 and upload again"
            ) from exc
        offset += len(chunk)
        pending += text
        if not chunk:
            if pending:
                yield pending
            return
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"


def _csv_reason(exc: csv.Error) -> str:
    """The csv module's complaint in the client's terms."""
    reason = str(exc)
    if "field larger than field limit" in reason:
        return f"a cell is longer than {MAX_CSV_CELL} characters"
    return reason


def read_csv(
    stream: BinaryIO, layout: Layout = CERTIFICATES, *, ignore_unknown: bool = False
) -> tuple[Header, Iterator[RawRow]]:
    """Header and rows of a CSV file (row numbers count the header as row 1). A cell that
    export made spreadsheet-safe (a quote before `=`, `+`, `-`, `@`, tab or CR) is read
    without its quote (app/services/safe_text.py)."""
    lines = utf8_lines(stream)
    reader = csv.reader(lines, strict=True)
    try:
        names = next(reader)
    except StopIteration:
        raise FileProblem("the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise FileProblem(f"the header row is not valid CSV: {_csv_reason(exc)}") from exc
    header = understand_header(names, layout, ignore_unknown=ignore_unknown)
    index = {ours: names.index(theirs) for ours, theirs in header.columns.items()}
    width = len(names)

    def rows() -> Iterator[RawRow]:
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileProblem(f"row {number + 1} is not valid CSV: {_csv_reason(exc)}") from exc
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                yield RawRow(
                    number,
                    {"__error__": f"has {len(cells)} cells; the header has {width}"},
                    {},
                )
                continue
            values = {ours: spreadsheet_literal(cells[i]) for ours, i in index.items()}
            yield RawRow(number, values, dict(header.columns))

    return header, rows()


NESTED_FIELDS = frozenset({"organization", "sites"})
"""JSON Lines keys that carry the write API's nested objects (API.md, POST /v1/certificates)."""


def _unknown_keys(stream: BinaryIO, layout: Layout) -> list[str]:
    """First pass over a seekable JSON Lines file: the top-level keys no column name matches."""
    lookup = layout.lookup
    nested = NESTED_FIELDS if layout is CERTIFICATES else frozenset()
    unknown: dict[str, None] = {}
    for line in utf8_lines(stream):
        try:
            obj = load_json(line) if line.strip() else None
        except UnreadableJson:
            continue  # reported on its row by the second pass
        if isinstance(obj, dict):
            for key in obj:
                if str(key) not in nested and _norm(str(key)) not in lookup:
                    unknown.setdefault(str(key))
    stream.seek(0)
    return list(unknown)


def read_jsonl(
    stream: BinaryIO, layout: Layout = CERTIFICATES, *, ignore_unknown: bool = False
) -> tuple[Header, Iterator[RawRow]]:
    """Rows of a JSON Lines file; keys use our names or IAF MD 28 names, nested or flat.

    An unknown key in any row is an error for the whole file, found by a first pass before any
    row is read (the upload is spooled, a file on disk is seekable), unless `ignore_unknown`."""

    lookup = layout.lookup
    ignored = _unknown_keys(stream, layout) if stream.seekable() else []
    unknown = [key for key in ignored if _norm(key) not in layout.not_stored]
    if unknown and not ignore_unknown:
        raise unknown_names_problem(unknown, layout, "field")

    def rows() -> Iterator[RawRow]:
        for number, line in enumerate(utf8_lines(stream), start=1):
            if not line.strip():
                continue
            try:
                obj = load_json(line)
            except UnreadableJson as exc:
                yield RawRow(number, {"__error__": exc.reason}, {})
                continue
            if not isinstance(obj, dict):
                yield RawRow(number, {"__error__": "is not a JSON object"}, {})
                continue
            values: dict[str, Any] = {}
            sources: dict[str, str] = {}
            for key, value in obj.items():
                if key in NESTED_FIELDS and layout is CERTIFICATES:
                    values[key] = value
                    sources[key] = key
                    continue
                ours = lookup.get(_norm(str(key)))
                if ours is not None:
                    values[ours] = value
                    sources[ours] = str(key)
            yield RawRow(number, values, sources)

    return Header(columns={}, ignored=ignored), rows()


def _blank(value: Any) -> bool:
    """A cell that says nothing: absent, null or only spaces (a column the file lacks, too)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> Any:
    text = _text(value)
    if text is None:
        return None
    if _COMPACT_DATE.match(text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _sectors(value: Any) -> Any:
    if value is None or isinstance(value, list):
        return value or []
    text = str(value).strip()
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"[;,|]", text) if p.strip()]
    return [
        sector_code(p[3:].strip())
        if p.upper().startswith("IAF") and is_ascii_number(p[3:].strip())
        else sector_code(p)
        for p in parts
    ]


def is_ascii_number(text: str) -> bool:
    """Only ASCII digits: `str.isdigit` is also true of "²", which int() refuses (a 500)."""
    return text.isascii() and text.isdigit()


def sector_code(text: str) -> int | str:
    """A sector cell as a number when it is one, else as written (refused by validation)."""
    text = text.strip()
    return int(text) if is_ascii_number(text) else text


def _bool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0", ""}:
        return False
    return value


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p.strip() for p in str(value).split(LIST_SEPARATOR)]


SITE_COLUMNS = ("site_name", "site_address", "site_country")


def _organization(v: dict[str, Any]) -> dict[str, Any]:
    """The organisation parts a row states (nested object or flat columns; a JSON Lines
    "organization" that is a string is the organisation's name)."""
    if isinstance(v.get("organization"), str) and not _blank(v["organization"]):
        return {"name": v["organization"].strip()}
    if isinstance(v.get("organization"), dict):
        given = v["organization"]
        stated = {k: val for k, val in given.items() if k != "identifiers" and not _blank(val)}
        if isinstance(given.get("identifiers"), dict):
            ids = {k: val for k, val in given["identifiers"].items() if not _blank(val)}
            if ids:
                stated["identifiers"] = ids
        elif "identifiers" in given and given["identifiers"] is not None:
            stated["identifiers"] = given["identifiers"]  # refused by validation, with a pointer
        return stated
    stated = {}
    if not _blank(v.get("organization_name")):
        stated["name"] = _text(v["organization_name"])
    if not _blank(v.get("organization_country")):
        stated["country"] = _text(v["organization_country"])
    if not _blank(v.get("organization_aliases")):
        stated["aliases"] = [a for a in _split(v["organization_aliases"]) if a]
    ids = {name: _text(v[name]) for name in ("lei", "vat") if not _blank(v.get(name))}
    if ids:
        stated["identifiers"] = ids
    return stated


def _sites(v: dict[str, Any], organization: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The sites a row states, or None when it states none (all site cells blank or absent)."""
    if isinstance(v.get("sites"), list):
        return list(v["sites"])
    if all(_blank(v.get(name)) for name in SITE_COLUMNS):
        return None
    names, addresses, countries = (_split(v.get(name)) for name in SITE_COLUMNS)
    count = max(len(names), len(addresses), len(countries))
    fallback = organization.get("country") if not countries else None
    return [
        {
            "name": (names[i] if i < len(names) else "") or None,
            "address": (addresses[i] if i < len(addresses) else "") or None,
            "country": (countries[i] if i < len(countries) else fallback) or None,
        }
        for i in range(count)
    ]


def keep_unstated_site_parts(
    stated: list[dict[str, Any]], current: list[dict[str, Any]], sources: dict[str, str]
) -> list[dict[str, Any]]:
    """Sites from flat columns state only the parts whose column the file has (an IAF MD 28
    file has no site name): the other parts keep the registry's values, site by site."""
    if "sites" in sources:
        return stated
    absent = [col.removeprefix("site_") for col in SITE_COLUMNS if col not in sources]
    kept = []
    for i, site in enumerate(stated):
        before = current[i] if i < len(current) else {}
        kept.append({**site, **{part: before.get(part) for part in absent if part in before}})
    return kept


IMPORT_ONLY_TEXT = (
    ("status", single_line),
    ("status_effective_from", single_line),
    ("status_reason", multi_line),
    ("certification_body", single_line),
    ("certificate_id", single_line),
)
"""Row values outside the write API's body, checked for control characters like its fields."""


LIST_FIELDS = frozenset({"sectors", "organization_aliases", "status_history", *SITE_COLUMNS})
"""Flat fields whose JSON Lines value may be a list; every other flat value is a scalar."""


def type_problems(raw: RawRow) -> list[tuple[str, str]]:
    """(field, reason) for JSON Lines values of the wrong shape, which would otherwise be
    dropped or turned into text: a list or object where a text is expected, an organisation or
    sites that are neither objects nor lists."""
    problems: list[tuple[str, str]] = []
    for name, value in raw.values.items():
        field = raw.sources.get(name, name)
        if name == "organization":
            if value is not None and not isinstance(value, dict | str):
                problems.append((field, "must be an object (name, country, ...) or a name"))
        elif name == "sites":
            if value is not None and not isinstance(value, list):
                problems.append((field, "must be a list of sites"))
        elif name == "status_history":
            continue  # a list, or its JSON text; read by read_status_history
        elif isinstance(value, dict) or (isinstance(value, list) and name not in LIST_FIELDS):
            problems.append((field, "must be a single value, not a list or an object"))
    return problems


def canonical(raw: RawRow) -> dict[str, Any]:
    """What a row states, shaped as the write API's body (`body`: only the fields whose column
    the file has and whose cell is not blank; DESIGN.md, "The registry changes only when someone
    says so"), plus the import-only fields (status, its date and reason, the CB, an id)."""
    v = raw.values
    body: dict[str, Any] = {}
    for name in ("certificate_number", "standard", "scope"):
        if not _blank(v.get(name)):
            body[name] = _text(v[name])
    organization = _organization(v)
    if organization:
        body["organization"] = organization
    if "sectors" in v and not _blank(v["sectors"]):
        body["sectors"] = _sectors(v["sectors"])
    sites = _sites(v, organization)
    if sites is not None:
        body["sites"] = sites
    for name in ("original_issue_date", "issue_date", "expiry_date"):
        if not _blank(v.get(name)):
            body[name] = _date(v[name])
    if not _blank(v.get("confidential")):
        body["confidential"] = _bool(v["confidential"])
    return {
        "body": body,
        "status": _text(v.get("status")),
        "status_effective_from": _date(v.get("status_effective_from")),
        "status_reason": _text(v.get("status_reason")),
        "status_history": None if _blank(v.get("status_history")) else v["status_history"],
        "certification_body": _text(v.get("certification_body")),
        "certificate_id": _text(v.get("certificate_id")),
    }


MAX_STATUS_HISTORY = 1000
"""Most entries a row's `status_history` may hold."""
STATUS_HISTORY_KEYS = ("status", "effective_from", "reason")


def read_status_history(value: Any) -> list[tuple[str, date, str | None]]:
    """A row's status history as (status word, effective date, reason) in the stated order:
    a JSON Lines list, or in a CSV or XLSX cell its JSON text, of objects with `status`,
    `effective_from` (YYYY-MM-DD) and optionally `reason`, as export writes it. ValueError
    with the reason for the client when it is not that."""
    if isinstance(value, str):
        try:
            value = load_json(value)
        except UnreadableJson as exc:
            raise ValueError(
                f"{exc.reason}; write it as a JSON list of objects with status, "
                'effective_from and reason, e.g. [{"status": "active", "effective_from": '
                '"2024-01-10", "reason": "issued"}]'
            ) from None
    if not isinstance(value, list):
        raise ValueError("must be a list of objects with status, effective_from and reason")
    if len(value) > MAX_STATUS_HISTORY:
        raise ValueError(f"has {len(value)} entries; at most {MAX_STATUS_HISTORY}")
    entries: list[tuple[str, date, str | None]] = []
    for number, entry in enumerate(value, start=1):
        where = f"entry {number}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} is not an object with status, effective_from and reason")
        unknown = sorted(str(k) for k in entry if k not in STATUS_HISTORY_KEYS)
        if unknown:
            raise ValueError(
                f"{where} has unknown key(s) {', '.join(repr(k) for k in unknown)}; the known "
                "ones are status, effective_from, reason"
            )
        status, effective, reason = (entry.get(k) for k in STATUS_HISTORY_KEYS)
        if not isinstance(status, str) or not status.strip():
            raise ValueError(f"{where} needs a status (active, suspended or withdrawn)")
        if not isinstance(effective, str) or not _ISO_DATE.match(effective):
            raise ValueError(f"{where} needs effective_from as YYYY-MM-DD")
        try:
            day = date.fromisoformat(effective)
        except ValueError:
            raise ValueError(f"{where}: {effective!r} is not a real date") from None
        if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
            raise ValueError(f"{where}: reason must be text of at most 1000 characters")
        single_line(status)
        if reason is not None:
            multi_line(reason)
        entries.append((status.strip(), day, reason))
    return entries


# pointer in the canonical body -> our column name, for naming the field the user wrote.
POINTER_COLUMNS: dict[str, str] = {
    "/certificate_number": "certificate_number",
    "/organization/name": "organization_name",
    "/organization/country": "organization_country",
    "/organization/aliases": "organization_aliases",
    "/organization/identifiers/lei": "lei",
    "/organization/identifiers/vat": "vat",
    "/standard": "standard",
    "/scope": "scope",
    "/sectors": "sectors",
    "/sites": "site_country",
    "/original_issue_date": "original_issue_date",
    "/issue_date": "issue_date",
    "/expiry_date": "expiry_date",
    "/confidential": "confidential",
}


def column_for(pointer: str, sources: dict[str, str]) -> str:
    """The user's column name for an error pointer such as /sectors/2 or /sites/0/country."""
    best = ""
    for prefix in POINTER_COLUMNS:
        if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > len(best):
            best = prefix
    if not best:
        return pointer.lstrip("/") or "row"
    ours = POINTER_COLUMNS[best]
    if pointer.startswith("/sites/"):
        ours = {"name": "site_name", "address": "site_address"}.get(
            pointer.rsplit("/", 1)[-1], "site_country"
        )
    return sources.get(ours, sources.get("sites", sources.get("organization", ours)))
