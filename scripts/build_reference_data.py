"""Build app/reference/reference_data.json from the team's compiled domain data (run by hand).

Usage, from the repository root:

    .venv/bin/python scripts/build_reference_data.py --source reference-data.json [--output P]
    .venv/bin/python scripts/build_reference_data.py \
        --lookalikes lookalike-accreditation-bodies.json [--lookalikes-output P]

The second builds app/reference/lookalike_accreditation_bodies.json, the sourced list of
look-alike "accreditation bodies" and of legitimate bodies easily confused with them, that the
chain rule reads (app/domain/chain.py); see `build_lookalikes`.

The output is a trimmed, sorted, stable copy of what certverify ships: IAF sector codes, standard
editions with transition deadlines (disputed ranges, the deciding rule, MLA scope, publication and
amendments as real fields), accreditation bodies with their structured MLA recognitions, and the
recognition arrangements by date (IAF MLA, then Global ACI MRA). Sources and uncertainty flags
are kept as data. `_meta.built_at` only changes when
the content does, so rebuilding an unchanged source leaves the file byte for byte the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "app" / "reference" / "reference_data.json"
DEFAULT_LOOKALIKES_OUTPUT = REPO_ROOT / "app" / "reference" / "lookalike_accreditation_bodies.json"

sys.path.insert(0, str(REPO_ROOT))

from app.domain.countries import country_code  # noqa: E402
from app.domain.names import fold_name, fold_text  # noqa: E402
from app.domain.normalize import standard_code_key  # noqa: E402

_EDITION_LABEL = re.compile(
    r"^\s*(?P<code>(?:ISO|IEC|OHSAS)[A-Z/ ]*\s*[0-9][0-9\-]*)\s*:\s*(?P<edition>[0-9]{4})\s*$"
)
_UNKNOWN = {"", "unknown"}


def _text_or_none(value: Any) -> str | None:
    """A stripped string, or None for missing and "unknown" values."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in _UNKNOWN else text


def _join_notes(parts: list[str | None]) -> str | None:
    """Join non-empty note fragments with "; "."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return "; ".join(kept) or None


def normalize_superseded_by(text: str | None) -> str | None:
    """ "ISO 9001:2015"-style label, or None when the source gives a free-text expectation."""
    if text is None:
        return None
    match = _EDITION_LABEL.match(text)
    if match is None:
        return None
    code = " ".join(match["code"].split())
    return f"{code}:{match['edition']}"


def build_sectors(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 39 IAF codes (IAF ID 1) with their uncertain NACE Rev. 2 mapping."""
    sectors = [
        {
            "code": int(item["code"]),
            "name": item["name"],
            "nace_rev2": list(item.get("nace_rev2") or []),
            "nace_uncertain": bool(item.get("nace_rev2_uncertain", True)),
        }
        for item in source
    ]
    return sorted(sectors, key=lambda s: s["code"])


_PUBLISHED = re.compile(r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _published(item: dict[str, Any]) -> str | None:
    """The publication date as given ("YYYY-MM-DD", "YYYY-MM", "YYYY") or None; else an error."""
    value = _text_or_none(item.get("published"))
    if value is not None and not _PUBLISHED.match(value):
        raise SystemExit(f"{item['code']}:{item['edition']}: published {value!r} is not a date")
    return value


def _deadline(item: dict[str, Any], name: str) -> str | None:
    """A YYYY-MM-DD deadline field, or None; anything else is an error."""
    value = _text_or_none(item.get(name))
    if value is not None and not _DATE.match(value):
        raise SystemExit(f"{item['code']}:{item['edition']}: {name} {value!r} is not a date")
    return value


def _deadlines(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """(transition_deadline, transition_deadline_earliest), checked to be in order."""
    latest = _deadline(item, "transition_deadline")
    earliest = _deadline(item, "transition_deadline_earliest")
    if earliest is not None and (latest is None or earliest > latest):
        raise SystemExit(
            f"{item['code']}:{item['edition']}: transition_deadline_earliest {earliest} needs a "
            f"later or equal transition_deadline (got {latest})"
        )
    return latest, None if earliest == latest else earliest


def build_standards(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Standard editions with transition deadlines and the reference fields of DESIGN.md
    ("Deadlines", "Recognition scope"); other sourced fields are folded into notes."""
    standards = []
    for item in source:
        raw_superseded = _text_or_none(item.get("superseded_by"))
        superseded_by = normalize_superseded_by(raw_superseded)
        latest, earliest = _deadlines(item)
        notes = _join_notes(
            [
                item.get("notes"),
                (
                    f"original transition deadline: {item['transition_deadline_original']}"
                    if item.get("transition_deadline_original")
                    else None
                ),
                (
                    f"expected transition deadline: {item['expected_transition_deadline']}"
                    if item.get("expected_transition_deadline")
                    else None
                ),
                (
                    f"superseded by (as sourced): {raw_superseded}"
                    if raw_superseded and superseded_by is None
                    else None
                ),
            ]
        )
        standards.append(
            {
                "code": " ".join(str(item["code"]).split()),
                "edition": str(item["edition"]),
                "title": item["title"],
                "family": _text_or_none(item.get("family")),
                "status": _text_or_none(item.get("status")),
                "superseded_by": superseded_by,
                "transition_deadline": latest,
                "transition_deadline_earliest": earliest,
                "transition_rule_source": _text_or_none(item.get("transition_rule_source")),
                "in_mla_scope": bool(item.get("in_mla_scope", True)),
                "published": _published(item),
                "amendments": [" ".join(str(a).split()) for a in item.get("amendments") or []],
                "uncertain": bool(item.get("uncertain", False)),
                "source": _text_or_none(item.get("source")),
                "notes": notes,
            }
        )
    keys = [(standard_code_key(s["code"]), s["edition"]) for s in standards]
    duplicates = sorted(
        {f"{code}:{edition}" for code, edition in keys if keys.count((code, edition)) > 1}
    )
    if duplicates:
        raise SystemExit(f"duplicate standard editions: {', '.join(duplicates)}")
    return sorted(standards, key=lambda s: (standard_code_key(s["code"]), s["edition"]))


def build_recognition_arrangements(important: str | None) -> list[dict[str, Any]]:
    """The arrangement under which ABs are recognised, by date (DESIGN.md, first paragraph).

    The source states it in prose (`_meta.important`): "From 2026-01-01 IAF and ILAC were
    replaced by Global Accreditation Cooperation Incorporated ('Global ACI') ... The IAF MLA and
    ILAC MRA are superseded by the 'Global ACI MRA'". The two entries below are that sentence
    as data; the build refuses a source whose sentence no longer says so, rather than ship a
    stale arrangement.
    """
    text = important or ""
    if "2026-01-01" not in text or "Global ACI MRA" not in text or "IAF MLA" not in text:
        raise SystemExit(
            "_meta.important no longer states the 2026-01-01 move from the IAF MLA to the "
            "Global ACI MRA: update build_recognition_arrangements"
        )
    urls = re.findall(r"https?://[^\s;)]+", text)
    source = " ; ".join(urls) if urls else None
    return [
        {
            "name": "IAF Multilateral Recognition Arrangement",
            "short_name": "IAF MLA",
            "from": None,
            "until": "2025-12-31",
            "source": source,
        },
        {
            "name": "Global Accreditation Cooperation Incorporated Mutual Recognition Arrangement",
            "short_name": "Global ACI MRA",
            "from": "2026-01-01",
            "until": None,
            "source": source,
        },
    ]


def build_accreditation_bodies(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accreditation bodies with structured MLA recognitions; sourced scope text goes to notes."""
    bodies = []
    for item in source:
        ab_source = _text_or_none(item.get("source"))
        mla = sorted(
            (
                {
                    "standard": " ".join(str(scope["standard"]).split()),
                    "since": scope.get("since"),
                    "until": scope.get("until"),
                    "source": _text_or_none(scope.get("source")) or ab_source,
                }
                for scope in item.get("mla") or []
            ),
            key=lambda m: standard_code_key(m["standard"]),
        )
        scopes_text = item.get("mla_scopes") or []
        notes = _join_notes(
            [
                item.get("notes"),
                f"MLA scopes as sourced: {' | '.join(scopes_text)}" if scopes_text else None,
            ]
        )
        bodies.append(
            {
                "acronym": item["acronym"].strip(),
                "name": item["name"].strip(),
                "economy": _text_or_none(item.get("economy_code")),
                "economy_name": _text_or_none(item.get("economy")),
                "region": _text_or_none(item.get("region")),
                "mla": mla,
                "mla_scopes_complete": bool(item.get("mla_scopes_complete", False)),
                "uncertain": bool(item.get("uncertain", False)),
                "source": ab_source,
                "notes": notes,
            }
        )
    keys = [body["acronym"].upper() for body in bodies]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise SystemExit(f"duplicate accreditation body acronyms: {', '.join(duplicates)}")
    return sorted(bodies, key=lambda b: b["acronym"].upper())


def build_meta(
    source_meta: dict[str, Any], source_digest: str, counts: dict[str, int]
) -> dict[str, Any]:
    """Where the data came from and what its flags mean."""
    return {
        "description": (
            "Reference data shipped with certverify: IAF sector codes, certifiable standard "
            "editions with transition deadlines, accreditation bodies with MLA recognitions, "
            "and the recognition arrangement by date (IAF MLA, then Global ACI MRA)."
        ),
        "built_from": (
            "the team's compiled domain reference-data.json (compiled from public sources; "
            "context and every source in its companion facts.md); source_sha256 identifies it"
        ),
        "source_sha256": source_digest,
        "built_by": "scripts/build_reference_data.py",
        "built_at": None,
        "counts": counts,
        "fields": {
            "uncertain": (
                "true when the entry has only secondary or indirect support, conflicting sources, "
                "or inferred fields: a default to confirm, not a rule"
            ),
            "mla_scopes_complete": (
                "false means the AB's `mla` list is known to be incomplete (no source lists a full "
                "current sub-scope set): a standard missing from it is 'not confirmed', never 'not "
                "a signatory'. False for every shipped AB"
            ),
            "mla": (
                "standards for which the AB's IAF MLA signature was found; since = the year (as "
                "YYYY-01-01) or exact date it was found to start (null = start unknown); until = "
                "null (no end known); source = where it was found"
            ),
            "economy": "ISO 3166-1 alpha-2 code; null for multi-economy or unknown bodies",
            "economy_name": "economy as named in the source",
            "superseded_by": (
                "'ISO 9001:2015'-style label of the replacing edition; null when the source only "
                "gives an expectation, whose text is kept in notes"
            ),
            "transition_deadline": (
                "last day certificates to this edition are valid, whatever expiry they print "
                "(the latest date an authoritative source gives; the decision is "
                "transition_rule_source); null when none is set"
            ),
            "transition_deadline_earliest": (
                "where authoritative sources disagree, the earliest deadline one of them gives: "
                "the days after it up to transition_deadline (inclusive) are disputed (a "
                "warning, never outdated_standard); null when sources agree"
            ),
            "transition_rule_source": (
                "the decision that set the deadline, cited in messages (IAF Resolution 2017-13, "
                "IAF MD 26, IAF FAQ Q15, ...); null when no decision is on record"
            ),
            "in_mla_scope": (
                "whether the standard is within the IAF MLA / Global ACI MRA management-system "
                "scope; false: accreditation can be national only, so MLA recognition is not "
                "expected (a warning, never a failure)"
            ),
            "published": (
                "publication date as sourced: YYYY-MM-DD, YYYY-MM or YYYY (read as the first "
                "day of that month or year), or null when unknown; a certificate issued before "
                "it, or to an edition whose status says draft and that has no date, is refused"
            ),
            "amendments": (
                "amendments to the edition as sourced (e.g. ISO 9001:2015/Amd 1:2024): not "
                "editions, no transition"
            ),
            "recognition_arrangements": (
                "the arrangement under which ABs are recognised, by date: name, short_name (as "
                "messages say it), from / until (inclusive, null = open), source; taken from "
                "`important`"
            ),
            "nace_uncertain": "the IAF code to NACE Rev. 2 mapping comes from one transcription",
        },
        "conventions": source_meta.get("conventions"),
        "important": source_meta.get("important"),
    }


def build(source_path: Path) -> dict[str, Any]:
    """The shipped reference document (without `built_at`)."""
    raw = source_path.read_bytes()
    source = json.loads(raw)
    sectors = build_sectors(source["iaf_codes"])
    standards = build_standards(source["standards"])
    bodies = build_accreditation_bodies(source["accreditation_bodies"])
    source_meta = source.get("_meta", {})
    arrangements = build_recognition_arrangements(source_meta.get("important"))
    counts = {
        "iaf_sectors": len(sectors),
        "standards": len(standards),
        "accreditation_bodies": len(bodies),
        "mla_recognitions": sum(len(body["mla"]) for body in bodies),
        "recognition_arrangements": len(arrangements),
    }
    return {
        "_meta": build_meta(source_meta, hashlib.sha256(raw).hexdigest(), counts),
        "iaf_sectors": sectors,
        "standards": standards,
        "accreditation_bodies": bodies,
        "recognition_arrangements": arrangements,
    }


LOOKALIKE_CLASSIFICATIONS: dict[bool | None, str] = {
    False: "look-alike",
    True: "legitimate-but-confusable",
    None: "unresolved",
}
"""The list's `is_mla_signatory` as a classification (the list's own companion .md): false is a
look-alike (not an MLA signatory, whatever it claims), true a legitimate body easily confused with
one, null unresolved (never flagged on its name alone)."""

LOOKALIKE_GROUPS: dict[str, str] = {
    "rival-arrangement": (
        "it runs its own rival recognition arrangement, while the IAF MLA (now the Global ACI "
        "MRA) recognises only the six regional groups AFRAC, ARAC, APAC, EA, IAAC and SADCA"
    ),
    "uk-eu-private": (
        'it is a private UK or European "accreditation body", while the UK and each EU member '
        "state have one national accreditation body (UKAS in the UK), and only that body can be "
        "a signatory"
    ),
    "private-scheme": (
        "it is a private accreditation scheme outside the national accreditation system and "
        "any international arrangement"
    ),
    "outside-arrangement": (
        "it says itself that it is outside the IAF and Global ACI arrangements"
    ),
    "not-an-accreditation-body": "it is not an accreditation body at all",
    "membership-terminated": (
        "its IAF membership was terminated, so it no longer holds MLA recognition"
    ),
}
"""Why each look-alike is not an MLA signatory, in words, by the groups of the list's companion
.md ("Look-alikes": rival forums or "MLAs"; UK- or Europe-styled bodies; US-styled bodies; not
accreditation bodies at all) and its entries' evidence (NACI: "membership has been terminated")."""

LOOKALIKE_CURATION: dict[str, dict[str, Any]] = {
    # Look-alikes (is_mla_signatory false): the group of the companion .md.
    "International Accreditation Council": {"group": "rival-arrangement"},
    "i-NAF": {"group": "rival-arrangement"},
    "International Accreditation Federation Accreditation Bodies": {"group": "rival-arrangement"},
    "International Certification Accreditation Board": {"group": "rival-arrangement"},
    "IAAB (iaab.us)": {"group": "rival-arrangement"},
    "International Accreditation Bureau": {"group": "rival-arrangement"},
    # As their names place them ("Brussels", "Sweden"), so that "SAC (Singapore)" is not them.
    "European Union Accreditation Agency / Brussels Accreditation Authority / Sweden "
    "Accreditation Cooperation": {"group": "rival-arrangement", "countries": ["BE", "SE"]},
    "Global Accreditation Foundation": {"group": "rival-arrangement"},
    "AGSCB (site iafcb.uk)": {"group": "uk-eu-private", "countries": ["GB"]},
    # Oxebridge's spelling, quoted in the entry's evidence: "Accreditation Service for
    # Certifying Bodies (ASCB.)".
    "Accreditation Services for Certifying Bodies (Europe)": {
        "group": "uk-eu-private",
        "names": ["Accreditation Service for Certifying Bodies"],
    },
    "ASCAB": {"group": "uk-eu-private"},
    "UK-ABCB": {"group": "uk-eu-private", "countries": ["GB"]},
    "UK Akkreditation and Certification Board Limited": {
        "group": "uk-eu-private",
        "countries": ["GB"],
    },
    "United Kingdom Accreditation Forum Certification Limited / United Kingdom Accreditation "
    "Certification Limited": {"group": "uk-eu-private", "countries": ["GB"]},
    # Its own letter: "a company limited by shares ... Companies Act, 1956, Republic of India".
    "Accreditation Commission for Conformity Assessment Bodies": {
        "group": "private-scheme",
        "countries": ["IN"],
    },
    "American Board of Accredited Certifications": {
        "group": "outside-arrangement",
        "countries": ["US"],
    },
    "USAS (usaaccreditation.com)": {"group": "outside-arrangement", "countries": ["US"]},
    "International Organization for Standardization": {"group": "not-an-accreditation-body"},
    "IQNet (The International Certification Network)": {"group": "not-an-accreditation-body"},
    "Association of British Certification Bodies": {
        "group": "not-an-accreditation-body",
        "countries": ["GB"],
    },
    # "Indian certification body (Delhi)".
    "Quality Research Organization": {"group": "not-an-accreditation-body", "countries": ["IN"]},
    "National Accreditation Centre of Iran": {
        "group": "membership-terminated",
        "countries": ["IR"],
    },
    # Unresolved (null): never flagged on the name alone.
    "Global Accreditation System": {},
    "eiscaa": {},
    "AIAB (aiabeu.com)": {},
    "USIAS (usiaccreditation.org)": {},
    "UASB (uasb.us)": {},
    "UAS (uasonline.org)": {},
    "IACAB (iacab.org)": {},
    "ACCB (accreditationboard.org)": {},
    "ACBCB (acbcb.org)": {},
    "QAC (qacin.org)": {},
    # Its notes: "Oxebridge writes 'United Accreditation Forum'"; "US (Delaware)".
    "United Accreditation Foundation": {
        "names": ["United Accreditation Forum"],
        "countries": ["US"],
    },
    "Global Accreditation Cooperation Incorporated": {},
    "International Accreditation Forum": {},
    "GCC Accreditation Center": {},
    "Nigeria National Accreditation Service": {"countries": ["NG"]},
    # Legitimate but easily confused (true).
    "International Accreditation Service (USA)": {"countries": ["US"]},
    # The entry's name describes the six groups; only their acronyms name them.
    "Recognised regional accreditation cooperations": {"names": None},
    "Pacific Accreditation Cooperation": {},
    # "formerly Dubai Accreditation Center/Department (DAC)".
    "Emirates International Accreditation Centre": {
        "names": ["Dubai Accreditation Center", "Dubai Accreditation Department"],
        "countries": ["AE"],
    },
    "Egyptian Accreditation Council": {"countries": ["EG"]},
    "Saudi Accreditation Center": {"countries": ["SA"]},
    "Singapore Accreditation Council": {"countries": ["SG"]},
    "Pakistan National Accreditation Council": {"countries": ["PK"]},
    "National Accreditation Board for Certification Bodies": {"countries": ["IN"]},
    "United Kingdom Accreditation Service": {"countries": ["GB"]},
    "ANSI National Accreditation Board": {"countries": ["US"]},
    "Joint Accreditation System of Australia and New Zealand": {"countries": ["AU", "NZ"]},
}
"""What the build adds to each listed entry, keyed by its `name`, each from the entry's own text
(its name, claims, notes or evidence, quoted above where not obvious): the look-alike's group,
the countries the entry places the body in, and full names the entry gives besides its `name`
(`"names": None` when its `name` is a description, not a name). Every entry must be here, so a
new entry of the list is classified on purpose before it ships."""

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")


def _compact(text: str) -> str:
    """Letters and digits only, upper case: how acronyms compare ("ASCB (E)" = "ASCB(E)")."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def lookalike_names(listed: str, acronyms: list[str]) -> tuple[list[str], list[str]]:
    """The full names in an entry's `name` and the countries written in it.

    The name is split at " / " (several bodies in one entry); a parenthesis holding a web
    address ("iaab.us", "site iafcb.uk") is dropped, one holding a country ("USA") gives the
    country, any other ("The International Certification Network") is a further name. A full
    name has at least two words and is not one of the entry's acronyms ("i-NAF", "UK-ABCB"):
    acronyms never flag a body on their own (DESIGN of app/domain/chain.py).
    """
    names: list[str] = []
    countries: list[str] = []
    for part in listed.split(" / "):
        inner = _PARENTHESIS.findall(part)
        outer = _PARENTHESIS.sub(" ", part).strip()
        candidates = [outer]
        for text in inner:
            if "." in text:
                continue
            try:
                countries.append(country_code(text))
                continue
            except ValueError:
                pass
            candidates.append(text.strip())
        for candidate in candidates:
            if len(fold_text(candidate).split()) < 2:
                continue
            if _compact(candidate) in {_compact(acronym) for acronym in acronyms}:
                continue
            names.append(candidate)
    return names, countries


def build_lookalikes(source_path: Path) -> dict[str, Any]:
    """The shipped look-alike list (without `built_at`): each entry's names, acronyms, countries,
    classification, group, claims, notes, confidence and every evidence item (URL, kind [A]
    authoritative / [S] other, quote or summary), in the list's order."""
    raw = source_path.read_bytes()
    source = json.loads(raw)
    listed = {item["name"] for item in source}
    unknown = sorted(listed - set(LOOKALIKE_CURATION))
    stale = sorted(set(LOOKALIKE_CURATION) - listed)
    if unknown or stale:
        raise SystemExit(
            f"LOOKALIKE_CURATION is out of date: not curated {unknown}; no longer listed {stale}"
        )
    bodies = []
    seen: dict[str, str] = {}
    for item in source:
        curation = LOOKALIKE_CURATION[item["name"]]
        classification = LOOKALIKE_CLASSIFICATIONS[item["is_mla_signatory"]]
        group = curation.get("group")
        if (classification == "look-alike") != (group is not None):
            raise SystemExit(f"{item['name']}: a look-alike needs a group, and only a look-alike")
        if group is not None and group not in LOOKALIKE_GROUPS:
            raise SystemExit(f"{item['name']}: unknown group {group!r}")
        acronyms = [" ".join(str(a).split()) for a in item.get("acronyms") or []]
        names, countries = lookalike_names(item["name"], acronyms)
        if "names" in curation:
            names = [] if curation["names"] is None else names + list(curation["names"])
        countries = sorted({*countries, *curation.get("countries", [])})
        for name in names:
            key = fold_name(name)
            if key in seen and seen[key] != item["name"]:
                raise SystemExit(f"{name!r} names both {seen[key]!r} and {item['name']!r}")
            seen[key] = item["name"]
        evidence = [
            {
                "url": entry["url"],
                "kind": entry["kind"],
                "quote_or_summary": entry["quote_or_summary"],
            }
            for entry in item.get("evidence") or []
        ]
        if not evidence:
            raise SystemExit(f"{item['name']}: an entry without evidence cannot ship")
        bodies.append(
            {
                "name": item["name"],
                "names": names,
                "acronyms": acronyms,
                "countries": countries,
                "classification": classification,
                "is_mla_signatory": item["is_mla_signatory"],
                "group": group,
                "claims": _text_or_none(item.get("claims")),
                "notes": _text_or_none(item.get("notes")),
                "confidence": _text_or_none(item.get("confidence")),
                "evidence": evidence,
            }
        )
    counts = {
        label: sum(body["classification"] == label for body in bodies)
        for label in LOOKALIKE_CLASSIFICATIONS.values()
    }
    return {
        "_meta": {
            "description": (
                "Look-alike accreditation bodies on ISO management-system certificates, and "
                "legitimate bodies easily confused with them, with their sources: what the "
                "chain section of a verification (app/domain/chain.py) matches a named "
                "accreditation body against when the registry has no record."
            ),
            "built_from": (
                "the team's lookalike-accreditation-bodies.json (research of 2026-12-01 from "
                "stored copies of public pages, not checked against the live Global ACI list; "
                "its companion .md gives the warning signs); source_sha256 identifies it"
            ),
            "source_sha256": hashlib.sha256(raw).hexdigest(),
            "built_by": "scripts/build_reference_data.py --lookalikes",
            "built_at": None,
            "counts": {"bodies": len(bodies), **counts},
            "groups": LOOKALIKE_GROUPS,
            "fields": {
                "names": (
                    "full names the entry gives (its name split at ' / ', without web "
                    "addresses and countries in parentheses, plus names its notes, claims or "
                    "evidence give); a body is matched on these, folded as organisation "
                    "names are, never on an acronym alone; empty when only acronyms are known"
                ),
                "acronyms": "acronyms as listed: shown and noted, never enough to flag a body",
                "countries": (
                    "ISO 3166-1 alpha-2 codes the entry places the body in; when a named body "
                    "gives a country, it must be one of these to match"
                ),
                "classification": (
                    "look-alike (is_mla_signatory false: not an MLA signatory), "
                    "legitimate-but-confusable (true) or unresolved (null: never flagged on "
                    "the name alone)"
                ),
                "group": "why a look-alike is not a signatory: a key of `groups`",
                "evidence": (
                    "every source of the entry: url, kind (A: IAF/Global ACI, a recognised "
                    "AB, a government or standards body; S: anything else, including the "
                    "body's own website) and the quote or summary"
                ),
            },
        },
        "bodies": bodies,
    }


def _render(document: dict[str, Any]) -> str:
    """Stable JSON text: fixed key order, two-space indent, UTF-8, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _write(document: dict[str, Any], output: Path) -> None:
    """Write `document`, keeping the previous `built_at` when nothing else changed."""
    built_at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if output.exists():
        previous = json.loads(output.read_text(encoding="utf-8"))
        previous_built_at = previous.get("_meta", {}).get("built_at")
        previous.get("_meta", {})["built_at"] = None
        if previous == document and previous_built_at:
            built_at = previous_built_at
    document["_meta"]["built_at"] = built_at

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(_render(document), encoding="utf-8")
    counts = document["_meta"]["counts"]
    print(f"wrote {output} ({', '.join(f'{k}={v}' for k, v in counts.items())})")


def main(argv: list[str] | None = None) -> int:
    """Build the reference file, the look-alike file, or both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, help="the compiled reference-data.json")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--lookalikes", type=Path, help="the sourced lookalike-accreditation-bodies.json"
    )
    parser.add_argument("--lookalikes-output", type=Path, default=DEFAULT_LOOKALIKES_OUTPUT)
    args = parser.parse_args(argv)
    if args.source is None and args.lookalikes is None:
        parser.error("give --source, --lookalikes or both")

    if args.source is not None:
        _write(build(args.source), args.output)
    if args.lookalikes is not None:
        _write(build_lookalikes(args.lookalikes), args.lookalikes_output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
