"""The page's certificate documents: the upload form's fields and errors, and the claims table
of a document's answer ("The document says / The registry says / Agrees?", field by field)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import orjson

from app.domain.documents import CLAIM_FIELDS
from app.services.documents.links import qr_kind
from app.web.view import FormState, sentence

DOCUMENT_FIELDS: tuple[str, ...] = ("file", "certification_body", "as_of")
"""The upload form's fields, in the order the form shows them (their errors too)."""

FIELD_NAMES: dict[str, str] = {
    "certificate_number": "Certificate number",
    "certification_body": "Certification body",
    "accreditation_body": "Accreditation body",
    "accreditation_number": "Accreditation number",
    "accreditation_mark": "Accreditation mark",
    "standard": "Standard",
    "organization": "Holder",
    "scope": "Scope",
    "sites": "Sites",
    "countries": "Site countries",
    "issue_date": "Issue date",
    "original_issue_date": "Original issue date",
    "expiry_date": "Expiry date",
}

AGREES: dict[str, tuple[str, str]] = {
    "pass": ("Yes", "check"),
    "fail": ("No", "cross"),
    "warn": ("Look at it", "bang"),
    "skipped": ("Not checked", "dash"),
}
"""A document check's outcome as the Agrees? column words it, with its icon."""

FORM_ERRORS: dict[str, str] = {
    "as_of": "Enter the date as YYYY-MM-DD, for example 2026-11-26.",
    "certification_body": "The certification body can have at most 300 characters, on one line.",
}


def document_form_state(
    values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> FormState:
    """The upload form's state: the text fields as typed (a file is never shown again)."""
    shown = {name: (values or {}).get(name, "") for name in DOCUMENT_FIELDS if name != "file"}
    ordered = {f: errors[f] for f in DOCUMENT_FIELDS if errors and f in errors}
    return FormState(shown, ordered)


def form_errors(errors: list[dict[str, str]] | None, detail: str) -> dict[str, str]:
    """A problem's `errors` as the form's field errors; anything without a field of the form is
    the file's."""
    out: dict[str, str] = {}
    for error in errors or [{"pointer": "/file", "detail": detail}]:
        name = error.get("pointer", "").lstrip("/")
        if name in FORM_ERRORS:
            out.setdefault(name, FORM_ERRORS[name])
        else:
            out.setdefault("file", sentence(_capital(error.get("detail") or detail)))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(value: Any) -> str:
    """A claim's or the registry's value as text ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def claim_rows(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per field the document printed or a document check compared: what the
    document says (and where), what the registry says, whether they agree, and why."""
    document = response["document"]
    claims: Mapping[str, Any] = document.get("claims") or {}
    qr: Mapping[str, Any] = document.get("qr_claims") or {}
    checks: dict[str, Mapping[str, Any]] = {}
    for check in response["checks"]:
        if not str(check["code"]).startswith("document_"):
            continue
        field = (check.get("details") or {}).get("field") or str(check["code"]).removeprefix(
            "document_"
        )
        checks.setdefault(field, check)
    rows = []
    for field in CLAIM_FIELDS:
        claim = claims.get(field)
        check = checks.get(field)
        if claim is None and check is None and field not in qr:
            continue
        details = (check or {}).get("details") or {}
        outcome = str(check["outcome"]) if check is not None else None
        word, icon = AGREES[outcome] if outcome else ("Not compared", "dash")
        says = _shown(claim.get("values") or claim["value"]) if claim else ""
        rows.append(
            {
                "field": field,
                "name": FIELD_NAMES[field],
                "document": says,
                "page": claim["page"] if claim else None,
                "confidence": round(float(claim["confidence"]) * 100) if claim else None,
                "qr": _shown(qr[field]["value"]) if field in qr else "",
                "registry": _shown(details.get("registry")),
                "outcome": outcome or "none",
                "agrees": word,
                "icon": icon,
                "message": sentence(str(check["message"])) if check is not None else "",
            }
        )
    return rows


def document_view(
    response: Mapping[str, Any], *, filename: str | None, base_url: str
) -> dict[str, Any]:
    """What the result page shows of a document: its name, how it was read, the claims table,
    its QR codes as text (a link is never followed, nor made clickable), and the signed answer
    as a file to keep."""
    document = response["document"]
    answer = base64.b64encode(orjson.dumps(dict(response))).decode()
    return {
        "filename": filename or "the document",
        "pages": document["pages"],
        "ocr": document["ocr"],
        "ocr_available": document.get("ocr_available"),
        "sha256": document["sha256"],
        "rows": claim_rows(response),
        "discrepancies": len(document.get("discrepancies") or []),
        "qr_codes": [
            {"page": q["page"], "text": q["text"], "kind": qr_kind(q["text"], base_url=base_url)}
            for q in document.get("qr_codes") or []
        ],
        "answer_url": f"data:application/json;base64,{answer}",
        "answer_filename": f"certverify-document-{response['verification_id']}.json",
    }
