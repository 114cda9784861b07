"""Build app/reference/reference_data.json from the team's compiled domain data (run by hand).

Usage, from the repository root:

    .venv/bin/python scripts/build_reference_data.py --source reference-data.json [--output P]

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

sys.path.insert(0, str(REPO_ROOT))

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


def _render(document: dict[str, Any]) -> str:
    """Stable JSON text: fixed key order, two-space indent, UTF-8, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build the file; keep the previous `built_at` when nothing else changed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--source", type=Path, required=True, help="the compiled reference-data.json"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    document = build(args.source)
    built_at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if args.output.exists():
        previous = json.loads(args.output.read_text(encoding="utf-8"))
        previous_built_at = previous.get("_meta", {}).get("built_at")
        previous.get("_meta", {})["built_at"] = None
        if previous == document and previous_built_at:
            built_at = previous_built_at
    document["_meta"]["built_at"] = built_at

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(_render(document), encoding="utf-8")
    counts = document["_meta"]["counts"]
    print(f"wrote {args.output} ({', '.join(f'{k}={v}' for k, v in counts.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
