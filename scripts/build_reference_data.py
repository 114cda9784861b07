"""Build app/reference/reference_data.json from the team's compiled domain data (run by hand).

Usage, from the repository root:

    .venv/bin/python scripts/build_reference_data.py --source reference-data.json [--output P]

The output is a trimmed, sorted, stable copy of what certverify ships: IAF sector codes, standard
editions with transition deadlines, and accreditation bodies with their structured IAF MLA
recognitions. Sources and uncertainty flags are kept as data. `_meta.built_at` only changes when
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


def build_standards(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Standard editions with transition deadlines; extra sourced fields are folded into notes."""
    standards = []
    for item in source:
        raw_superseded = _text_or_none(item.get("superseded_by"))
        superseded_by = normalize_superseded_by(raw_superseded)
        amendments = item.get("amendments") or []
        notes = _join_notes(
            [
                item.get("notes"),
                f"published {item['published']}" if item.get("published") else None,
                f"amendments: {', '.join(amendments)}" if amendments else None,
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
                "transition_deadline": item.get("transition_deadline"),
                "uncertain": bool(item.get("uncertain", False)),
                "source": _text_or_none(item.get("source")),
                "notes": notes,
            }
        )
    return sorted(standards, key=lambda s: (standard_code_key(s["code"]), s["edition"]))


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
            "editions with transition deadlines, accreditation bodies with IAF MLA recognitions."
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
                "(IAF Resolution 2017-13); null when none is set"
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
    counts = {
        "iaf_sectors": len(sectors),
        "standards": len(standards),
        "accreditation_bodies": len(bodies),
        "mla_recognitions": sum(len(body["mla"]) for body in bodies),
    }
    return {
        "_meta": build_meta(source.get("_meta", {}), hashlib.sha256(raw).hexdigest(), counts),
        "iaf_sectors": sectors,
        "standards": standards,
        "accreditation_bodies": bodies,
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
