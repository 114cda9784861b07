"""The `document_*` checks: a certificate document's claims against the registry's certificate,
field by field, "the document says / the registry says / agrees?" (issue 17, item 3).

What a certificate document must say is ISO/IEC 17021-1 §8.2.2: the certified client's name and
the location of each site, the effective dates of granting and the expiry date, a unique
identification code, the standard with its issue status, the scope, and the certification body;
and the certification body confirms the validity of a certification on request (§8.1.3), so its
records, which this registry publishes, are what the paper is compared with. UKAS's advice on
counterfeit certificates says the same: confirm the certificate's claims with the certification
body (https://ukas.com/resources/latest-news/counterfeit-ms-certificates); ANAB's lists what to
compare: edition, scope, site, dates, unique ID
(https://anab.ansi.org/about-anab/what-to-look-for-on-a-certificate).

Rules (each check's docstring says why):
- a claim read with a confidence below MIN_CONFIDENCE (app/domain/document_claims.py, where the
  claims are found) is `skipped` ("could not be read with confidence"), never failed; a claim
  not found is `skipped`;
- a failure is a discrepancy that makes the paper say more than the registry (a later expiry, a
  wider scope, another holder, another issuer, another standard, a site country not certified,
  a number that differs from its own QR code): verdict `mismatch`, the lowest in DESIGN.md's
  precedence, so a withdrawn or expired certificate keeps its own verdict;
- a warning is a difference that may be innocent (an earlier issue of the same certificate, a
  site address written otherwise, an accreditation body the registry does not record for it);
- `document_identity`: the document is tied to the registry's certificate only when its holder
  agrees (`document_organization` passes). A misread or copied number lands on a real
  certificate, so a document whose holder could not be read, or only nearly matches, never comes
  out `valid` on its own word: `fail`, verdict `mismatch`, with the holder to compare by eye.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz.distance import OSA

from app.domain.chain import IdentifiedBody
from app.domain.countries import country_code
from app.domain.document_claims import MIN_CONFIDENCE
from app.domain.documents import ExtractedClaim
from app.domain.facts import (
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    CheckCode,
    CheckResult,
    Outcome,
    Verdict,
)
from app.domain.names import (
    SCOPE_MIN_TOKEN_LENGTH,
    SCOPE_STOPWORDS,
    fold_text,
    match_organization,
    scope_covers,
)
from app.domain.normalize import normalize_certificate_number, standard_code_key
from app.domain.verification import Finding, check_standard_match

SCOPE_OCR_SLIP_LENGTH = 5
"""A scope word of at least this many letters one edit (OSA distance 1) from a word of the
registry's scope, once "rn" read for "m" is undone, counts as that word: an OCR slip
("indnstrial", "rnanufacture"), not a wider scope."""

FIELD_WORDS: dict[str, str] = {
    "certificate_number": "certificate number",
    "certification_body": "certification body",
    "accreditation_body": "accreditation body",
    "organization": "holder",
    "standard": "standard",
    "scope": "scope",
    "countries": "site countries",
    "sites": "sites",
    "issue_date": "issue date",
    "original_issue_date": "original issue date",
    "expiry_date": "expiry date",
}
"""How messages name each compared field."""

Claims = Mapping[str, ExtractedClaim]


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What the rules read besides the claims: the registry's certificate (None when none was
    found), the printed CB as this registry resolves it (None: not recognised or not printed),
    the printed AB as identified from reference data (app/domain/chain.py), the accreditations
    of the certificate's CB, and the confidence threshold."""

    certificate: CertificateFact | None
    printed_certification_body: CertificationBodyFact | None = None
    accreditation_body: IdentifiedBody | None = None
    accreditations: tuple[AccreditationFact, ...] = ()
    min_confidence: float = MIN_CONFIDENCE
    number_may_be_misread: bool = True
    """Whether the number that found the certificate was read by OCR (a misread may land on
    another real certificate); False when it came from the PDF's text layer or a QR deep link."""


def _finding(
    code: CheckCode, outcome: Outcome, message: str, details: dict[str, Any] | None = None
) -> Finding:
    """A document check's finding: a failure stands for `mismatch` (module docstring)."""
    return Finding(
        CheckResult(code, outcome, message, details or {}),
        Verdict.MISMATCH if outcome is Outcome.FAIL else None,
    )


def _details(field: str, claim: ExtractedClaim, registry: Any) -> dict[str, Any]:
    """What a discrepancy reports: the field, both values, and where the claim was read."""
    document: Any = list(claim.values) if claim.values else claim.value
    return {
        "field": field,
        "document": document,
        "registry": registry,
        "confidence": claim.confidence,
        "page": claim.page,
    }


def _readable(
    code: CheckCode, field: str, claims: Claims, context: DocumentContext, *, needs_cert: bool
) -> ExtractedClaim | Finding:
    """The claim when it can be compared, else the `skipped` finding that says why."""
    words = FIELD_WORDS[field]
    claim = claims.get(field)
    if claim is None or not (claim.value.strip() or claim.values):
        return _finding(code, Outcome.SKIPPED, f"Not checked: no {words} was found in the document")
    if claim.confidence < context.min_confidence:
        return _finding(
            code,
            Outcome.SKIPPED,
            f"Not checked: the document's {words} could not be read with confidence "
            f"({claim.confidence:.2f}, below {context.min_confidence:.2f})",
            {"field": field, "document": claim.value, "confidence": claim.confidence},
        )
    if needs_cert and context.certificate is None:
        return _finding(
            code,
            Outcome.SKIPPED,
            "Not checked: no single certificate was found to compare the document with",
        )
    return claim


def check_document_certificate_number(
    claims: Claims, qr_claims: Claims | None, context: DocumentContext
) -> Finding:
    """The printed number is the one the document's own QR code links to (a certverify deep
    link), else the registry certificate's (§8.2.2 d, the unique identification code).

    A QR code that disagrees with the number printed beside it means one of them was changed:
    `fail`, also when no certificate was found. Without a QR code the printed number is what
    found the certificate, so it agrees by construction.
    """
    code = CheckCode.DOCUMENT_CERTIFICATE_NUMBER
    qr = (qr_claims or {}).get("certificate_number")
    if qr is not None and "certificate_number" not in claims:
        return _finding(
            code,
            Outcome.SKIPPED,
            "Not checked: no printed number was found; the certificate was looked up by its QR "
            f"code's number {qr.value}",
        )
    found = _readable(code, "certificate_number", claims, context, needs_cert=False)
    if isinstance(found, Finding):
        return found
    printed = found.value
    cert = context.certificate
    if qr is not None:
        details = _details("certificate_number", found, qr.value)
        if normalize_certificate_number(printed) == normalize_certificate_number(qr.value):
            return _finding(
                code,
                Outcome.PASS,
                f"The printed number {printed} is the one the document's QR code links to",
                details,
            )
        return _finding(
            code,
            Outcome.FAIL,
            f"The document prints the number {printed}, but its QR code links to certificate "
            f"{qr.value}: one of them was changed, or the QR code was copied from another "
            "certificate",
            details,
        )
    if cert is None:
        return _finding(
            code,
            Outcome.SKIPPED,
            "Not checked: no single certificate was found to compare the document with",
        )
    details = _details("certificate_number", found, cert.certificate_number)
    if normalize_certificate_number(printed) == cert.number_key:
        return _finding(
            code,
            Outcome.PASS,
            f"The printed number {printed} is the registry's certificate {cert.certificate_number}",
            details,
        )
    return _finding(
        code,
        Outcome.FAIL,
        f"The document prints the number {printed}, but the registry's certificate is "
        f"{cert.certificate_number}",
        details,
    )


def check_document_certification_body(claims: Claims, context: DocumentContext) -> Finding:
    """The printed issuer is the CB that issued the registry's certificate (§8.2.2 g), resolved
    like a named CB (DESIGN.md, "CB resolution"). Another CB of this registry: `fail` (a real
    number put on another issuer's paper is a common forgery, DESIGN.md); a name this registry
    does not know: `warn` (it may be spelt otherwise)."""
    code = CheckCode.DOCUMENT_CERTIFICATION_BODY
    found = _readable(code, "certification_body", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    issuer = cert.certification_body
    details = _details("certification_body", found, issuer.name)
    printed = context.printed_certification_body
    if printed is not None and printed.id == issuer.id:
        return _finding(
            code,
            Outcome.PASS,
            f'The document\'s issuer "{found.value}" is {issuer.name}, which issued the '
            "registry's certificate",
            details,
        )
    if printed is not None:
        return _finding(
            code,
            Outcome.FAIL,
            f"The document's issuer \"{found.value}\" is {printed.name}, but the registry's "
            f"certificate was issued by {issuer.name}",
            details,
        )
    return _finding(
        code,
        Outcome.WARN,
        f'The document\'s issuer "{found.value}" is not a certification body this registry '
        f"knows; the registry's certificate was issued by {issuer.name}: check the issuer printed",
        details,
    )


def check_document_accreditation_body(claims: Claims, context: DocumentContext) -> Finding:
    """The printed accreditation body accredits the certificate's CB for its standard here
    (§8.2.2 g: other marks, such as the accreditation symbol, may appear; UKAS's counterfeit
    advice: check that the CB is accredited by an MLA signatory for the sub-scope). The AB the
    registry records as accrediting the CB for the standard: `pass`, even one the sourced list
    flags (NACI, a real AB that lost its membership: its recognition is `ab_recognition`'s to
    judge). Another, known look-alike printed on a registry certificate's paper: `fail` (the
    paper claims an accreditation the registry's certificate does not rest on); an AB that does
    not accredit the CB for it here, or a name that identifies no AB for certain: `warn`."""
    code = CheckCode.DOCUMENT_ACCREDITATION_BODY
    found = _readable(code, "accreditation_body", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    key = standard_code_key(cert.standard.code)
    bodies = {
        a.accreditation_body.id: a.accreditation_body
        for a in context.accreditations
        if a.certification_body_id == cert.certification_body.id
        and standard_code_key(a.standard_code) == key
    }
    recorded = ", ".join(sorted(body.acronym for body in bodies.values()))
    registry = recorded or None
    details = _details("accreditation_body", found, registry)
    cb, standard = cert.certification_body.name, cert.standard.code
    here = (
        f"here {cb} is accredited for {standard} by {recorded}"
        if recorded
        else f"the registry records no accreditation of {cb} for {standard}"
    )
    identified = context.accreditation_body
    body = identified.body if identified is not None else None
    if body is not None and body.id in bodies:
        return _finding(
            code,
            Outcome.PASS,
            f"The document names {body.acronym}, which accredits {cb} for {standard} here",
            details,
        )
    if identified is not None and identified.lookalike:
        return _finding(
            code,
            Outcome.FAIL,
            f'The document names "{found.value}", a known look-alike accreditation body; {here}',
            details,
        )
    if body is not None:
        return _finding(
            code, Outcome.WARN, f"The document names {body.acronym}, but {here}", details
        )
    return _finding(
        code,
        Outcome.WARN,
        f'The document names "{found.value}", which could not be identified as an '
        f"accreditation body for certain; {here}",
        details,
    )


def check_document_organization(claims: Claims, context: DocumentContext) -> Finding:
    """The printed holder is the certified organisation or one of its aliases (§8.2.2 a),
    compared as claimed organisations are (DESIGN.md, "Claims": folded with app/domain/names.py,
    so case, accents, punctuation and legal forms such as "Ltd" / "Limited" do not matter; a near
    match warns)."""
    code = CheckCode.DOCUMENT_ORGANIZATION
    found = _readable(code, "organization", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    match = match_organization(found.value, (cert.organization_name, *cert.organization_aliases))
    details = _details("organization", found, cert.organization_name)
    details["score"] = round(match.score, 1)
    if match.outcome is Outcome.PASS:
        return _finding(
            code,
            Outcome.PASS,
            f'The document\'s holder "{found.value}" is the registry\'s "{match.matched_name}"',
            details,
        )
    if match.outcome is Outcome.WARN:
        return _finding(
            code,
            Outcome.WARN,
            f"The document's holder \"{found.value}\" nearly matches the registry's "
            f'"{match.matched_name}": check the spelling',
            details,
        )
    return _finding(
        code,
        Outcome.FAIL,
        f"The document's holder \"{found.value}\" is not the registry's "
        f'"{cert.organization_name}": the certificate with this number is held by '
        "another organisation",
        details,
    )


def check_document_identity(organization: Finding, context: DocumentContext) -> Finding:
    """The document is the registry's certificate: its number found it and its holder agrees
    (module docstring). A number misread by OCR finds a real certificate, so the holder must
    pass: when it could not be read, or only nearly matches, a number read by OCR does not tie
    the document to the certificate (`fail`, `mismatch`), whatever else agrees; a number from
    the text layer or a QR deep link cannot be misread, so there it is `warn` ("cannot tell").
    When the holder differs, `document_organization` already fails and this is skipped."""
    code = CheckCode.DOCUMENT_IDENTITY
    cert = context.certificate
    if cert is None:
        return _finding(
            code, Outcome.SKIPPED, "Not checked: no single certificate was found to tie it to"
        )
    outcome = organization.check.outcome
    holder = f'"{cert.organization_name}"'
    if outcome is Outcome.PASS:
        return _finding(
            code,
            Outcome.PASS,
            f"The document is certificate {cert.certificate_number}: its number and its holder "
            "agree",
        )
    if outcome is Outcome.FAIL:
        return _finding(
            code, Outcome.SKIPPED, "Not checked: the holder differs (document_organization)"
        )
    why = (
        "its holder only nearly matches"
        if outcome is Outcome.WARN
        else "its holder could not be read with confidence"
        if "confidence" in organization.check.message
        else "no holder was found on it"
    )
    if not context.number_may_be_misread:
        # The number is as printed (text layer, QR deep link): no misread can have found
        # another certificate, so an unread holder is "cannot tell", said, not failed.
        return _finding(
            code,
            Outcome.WARN,
            f"The document's number is certificate {cert.certificate_number}'s, but {why}: "
            f"compare the holder printed with the registry's: {holder}",
            {"registry": cert.organization_name},
        )
    return _finding(
        code,
        Outcome.FAIL,
        f"The document could not be tied to certificate {cert.certificate_number}: {why}. A "
        "misread or copied number finds a real certificate, so compare the holder printed "
        f"with the registry's: {holder}",
        {"registry": cert.organization_name},
    )


def check_document_standard(claims: Claims, context: DocumentContext) -> Finding:
    """The printed standard and edition are the certificate's (§8.2.2 e, "including an
    indication of issue status"), read by the engine's one grammar and compared by its rule
    (`check_standard_match`: another code or edition fails, a national adoption year warns)."""
    code = CheckCode.DOCUMENT_STANDARD
    found = _readable(code, "standard", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    engine = check_standard_match(cert, found.value).check
    details = _details("standard", found, cert.standard.label)
    if engine.outcome is Outcome.PASS:
        message = (
            f"The document's standard \"{found.value}\" is the certificate's {cert.standard.label}"
        )
    else:
        message = engine.message.replace("Claimed", "The document says", 1).replace(
            "the claimed", "the document's", 1
        )
    return _finding(code, engine.outcome, message, details)


def _ocr_folded(word: str) -> str:
    """A word with OCR's commonest confusion undone: "rn" read for "m" ("rnanufacture")."""
    return word.replace("rn", "m")


def _scope_words_outside(printed: str, scope: str) -> list[str]:
    """The printed scope's significant words that the registry's scope does not evidently
    cover (`scope_covers`, word by word), an OCR slip of one letter in a long word forgiven."""
    registry_words = set(fold_text(scope).split())
    outside = []
    for word in _significant_words(printed):
        if scope_covers(word, scope):
            continue
        if len(word) >= SCOPE_OCR_SLIP_LENGTH and any(
            OSA.distance(_ocr_folded(word), _ocr_folded(other), score_cutoff=1) <= 1
            for other in registry_words
        ):
            continue
        outside.append(word)
    return outside


def _significant_words(text: str) -> list[str]:
    """The words of a scope that carry its meaning (3 letters or more, not a stopword)."""
    return [
        word
        for word in dict.fromkeys(fold_text(text).split())
        if len(word) >= SCOPE_MIN_TOKEN_LENGTH and word not in SCOPE_STOPWORDS
    ]


def check_document_scope(claims: Claims, context: DocumentContext) -> Finding:
    """The printed scope is no wider than the registry's (§8.2.2 f): a printed scope claims an
    activity the certificate does not cover when one of its significant words (3 letters or
    more, not "and", "of", "including", ...) is not in the registry's scope, exactly, as a
    plural, by a shared stem of 5 letters or within one OCR slip (app/domain/names.py
    `scope_covers`, SCOPE_OCR_SLIP_LENGTH). Such words: `fail`, listed. A narrower printed scope
    (part of the registry's) passes: it claims less than is certified. When most of the
    printed words are outside (another language, a paraphrase, OCR noise), the two cannot be
    compared word by word: `warn`, both shown."""
    code = CheckCode.DOCUMENT_SCOPE
    found = _readable(code, "scope", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    details = _details("scope", found, cert.scope)
    if scope_covers(found.value, cert.scope):
        return _finding(
            code, Outcome.PASS, "The document's scope is within the registry's scope", details
        )
    outside = _scope_words_outside(found.value, cert.scope)
    if not outside:
        return _finding(
            code, Outcome.PASS, "The document's scope is within the registry's scope", details
        )
    details["outside"] = outside
    listed = ", ".join(f'"{word}"' for word in outside)
    significant = _significant_words(found.value)
    if len(outside) * 2 > len(significant):
        # Most of its words are not the registry's at all: another language (the claims are
        # read in seven), a paraphrase or OCR noise, not evidence of a wider scope: cannot
        # tell, said, never failed (DESIGN.md: the engine's own scope_match warns only).
        return _finding(
            code,
            Outcome.WARN,
            f"The document's scope is worded differently from the registry's ({listed} "
            f"{'is' if len(outside) == 1 else 'are'} not in it): compare the two; certified "
            f'scope "{cert.scope}"',
            details,
        )
    return _finding(
        code,
        Outcome.FAIL,
        f"The document's scope is wider than the registry's: {listed} "
        f'{"is" if len(outside) == 1 else "are"} not in the certified scope "{cert.scope}"',
        details,
    )


def _registry_countries(cert: CertificateFact) -> list[str]:
    """The certificate's site countries as alpha-2 codes (the organisation's without sites)."""

    def alpha_2(text: str) -> str:
        try:
            return country_code(text)
        except ValueError:
            return text.strip().upper()

    if cert.sites:
        return sorted({alpha_2(site.country) for site in cert.sites})
    return [alpha_2(cert.organization_country)] if cert.organization_country else []


def check_document_countries(claims: Claims, context: DocumentContext) -> Finding:
    """Every country the document places a site in is a country of the certificate's sites
    (§8.2.2 a, the location of each site): another country claims a site not certified,
    `fail`; fewer countries than the registry's pass (the paper claims less)."""
    code = CheckCode.DOCUMENT_COUNTRIES
    found = _readable(code, "countries", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    registry = _registry_countries(cert)
    details = _details("countries", found, registry)
    printed = []
    for value in found.values or (found.value,):
        try:
            printed.append(country_code(value))
        except ValueError:
            continue
    if not printed:
        return _finding(
            code, Outcome.SKIPPED, "Not checked: no country could be read from the document"
        )
    if not registry:
        return _finding(
            code, Outcome.SKIPPED, "Not checked: the registry's certificate lists no country"
        )
    extra = sorted(set(printed) - set(registry))
    if extra:
        return _finding(
            code,
            Outcome.FAIL,
            f"The document places sites in {', '.join(extra)}, which the registry's certificate "
            f"does not cover (only {', '.join(registry)})",
            details,
        )
    return _finding(
        code,
        Outcome.PASS,
        f"The document's site countries ({', '.join(sorted(set(printed)))}) are the certificate's",
        details,
    )


def check_document_sites(claims: Claims, context: DocumentContext) -> Finding:
    """Every site the document lists is evidently one of the certificate's sites (§8.2.2 a):
    its words are within a registry site's name and address (`scope_covers`). Addresses are
    written many ways, so a site not evidently listed warns, never fails; the countries are
    `document_countries`'s to judge."""
    code = CheckCode.DOCUMENT_SITES
    found = _readable(code, "sites", claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    cert = context.certificate
    assert cert is not None
    registry = [
        " ".join(part for part in (site.name, site.address, site.country) if part)
        for site in cert.sites
    ]
    details = _details("sites", found, registry)
    if not registry:
        return _finding(
            code, Outcome.SKIPPED, "Not checked: the registry's certificate lists no site", details
        )
    unlisted = [
        site
        for site in (found.values or (found.value,))
        if not any(scope_covers(site, known) for known in registry)
    ]
    if unlisted:
        shown = "; ".join(f'"{site}"' for site in unlisted)
        return _finding(
            code,
            Outcome.WARN,
            f"The document lists {shown}, not evidently among the registry's sites: compare "
            "them with the certificate's sites",
            details,
        )
    return _finding(
        code, Outcome.PASS, "The document's sites are among the registry's sites", details
    )


def _date_claim(
    code: CheckCode, field: str, claims: Claims, context: DocumentContext
) -> tuple[ExtractedClaim, date] | Finding:
    """A date claim that can be compared, as a date, else the `skipped` finding."""
    found = _readable(code, field, claims, context, needs_cert=True)
    if isinstance(found, Finding):
        return found
    try:
        return found, date.fromisoformat(found.value.strip())
    except ValueError:
        return _finding(
            code,
            Outcome.SKIPPED,
            f'Not checked: the document\'s {FIELD_WORDS[field]} "{found.value}" is not a date',
        )


def check_document_issue_date(claims: Claims, context: DocumentContext) -> Finding:
    """The printed issue date is the registry's (§8.2.2 b). Later: the registry knows no such
    issue, so the paper claims a reissue that did not happen (`fail`). Earlier: it may be an
    earlier issue of the same certificate, replaced since (a renewal or a change of scope
    reissues it, §8.2.2 i), so `warn`: ask for the current one."""
    code = CheckCode.DOCUMENT_ISSUE_DATE
    read = _date_claim(code, "issue_date", claims, context)
    if isinstance(read, Finding):
        return read
    found, printed = read
    cert = context.certificate
    assert cert is not None
    registry = cert.issue_date
    details = _details("issue_date", found, registry.isoformat())
    if printed > registry:
        return _finding(
            code,
            Outcome.FAIL,
            f"The document's issue date {printed} is later than the registry's {registry}: the "
            "registry knows no issue of the certificate after it",
            details,
        )
    if printed < registry:
        return _finding(
            code,
            Outcome.WARN,
            f"The document's issue date {printed} is earlier than the registry's {registry}: it "
            "may be an earlier issue, replaced since; ask for the current one",
            details,
        )
    return _finding(code, Outcome.PASS, f"The issue date {printed} is the registry's", details)


def check_document_original_issue_date(claims: Claims, context: DocumentContext) -> Finding:
    """The printed original (first) issue date is the registry's (§8.2.2 b, the effective date
    of granting); it decides nothing about validity today, so a difference warns either way."""
    code = CheckCode.DOCUMENT_ORIGINAL_ISSUE_DATE
    read = _date_claim(code, "original_issue_date", claims, context)
    if isinstance(read, Finding):
        return read
    found, printed = read
    cert = context.certificate
    assert cert is not None
    registry = cert.original_issue_date or cert.issue_date
    details = _details("original_issue_date", found, registry.isoformat())
    if printed != registry:
        return _finding(
            code,
            Outcome.WARN,
            f"The document's original issue date {printed} differs from the registry's {registry}",
            details,
        )
    return _finding(
        code, Outcome.PASS, f"The original issue date {printed} is the registry's", details
    )


def check_document_expiry_date(claims: Claims, context: DocumentContext) -> Finding:
    """The printed expiry date is the registry's (§8.2.2 c). Later: the paper claims validity
    its issuer does not record, the classic altered certificate (`fail`). Earlier: it may be an
    earlier issue, since renewed or extended (`warn`)."""
    code = CheckCode.DOCUMENT_EXPIRY_DATE
    read = _date_claim(code, "expiry_date", claims, context)
    if isinstance(read, Finding):
        return read
    found, printed = read
    cert = context.certificate
    assert cert is not None
    registry = cert.expiry_date
    details = _details("expiry_date", found, registry.isoformat())
    if printed > registry:
        return _finding(
            code,
            Outcome.FAIL,
            f"The document's expiry date {printed} is later than the registry's {registry}: the "
            "certificate is valid only until the date its issuer records",
            details,
        )
    if printed < registry:
        return _finding(
            code,
            Outcome.WARN,
            f"The document's expiry date {printed} is earlier than the registry's {registry}: it "
            "may be an earlier issue, since renewed or extended",
            details,
        )
    return _finding(code, Outcome.PASS, f"The expiry date {printed} is the registry's", details)


def document_checks(
    claims: Claims, qr_claims: Claims | None, context: DocumentContext
) -> tuple[Finding, ...]:
    """Every `document_*` check, in CheckCode order (app/domain/facts.py, DOCUMENT_CHECKS)."""
    organization = check_document_organization(claims, context)
    return (
        check_document_certificate_number(claims, qr_claims, context),
        check_document_certification_body(claims, context),
        check_document_accreditation_body(claims, context),
        organization,
        check_document_identity(organization, context),
        check_document_standard(claims, context),
        check_document_scope(claims, context),
        check_document_countries(claims, context),
        check_document_sites(claims, context),
        check_document_issue_date(claims, context),
        check_document_original_issue_date(claims, context),
        check_document_expiry_date(claims, context),
    )


def discrepancies(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The document's disagreements with the registry, for `document.discrepancies` (API.md):
    each failed or warned check that compared a field, with both values and the message."""
    out = []
    for finding in findings:
        check = finding.check
        if check.outcome not in (Outcome.FAIL, Outcome.WARN) or "field" not in check.details:
            continue
        out.append(
            {
                "field": check.details["field"],
                "document": check.details.get("document"),
                "registry": check.details.get("registry"),
                "message": check.message,
                "check": check.code.value,
                "outcome": check.outcome.value,
            }
        )
    return out


_FAILED_WORDS: dict[CheckCode, str] = {
    CheckCode.DOCUMENT_CERTIFICATE_NUMBER: "its certificate number",
    CheckCode.DOCUMENT_CERTIFICATION_BODY: "its certification body",
    CheckCode.DOCUMENT_ACCREDITATION_BODY: "its accreditation body",
    CheckCode.DOCUMENT_ORGANIZATION: "its holder",
    CheckCode.DOCUMENT_IDENTITY: "its holder, which could not be confirmed",
    CheckCode.DOCUMENT_STANDARD: "its standard",
    CheckCode.DOCUMENT_SCOPE: "its scope, which is wider",
    CheckCode.DOCUMENT_COUNTRIES: "its site countries",
    CheckCode.DOCUMENT_ISSUE_DATE: "its issue date",
    CheckCode.DOCUMENT_EXPIRY_DATE: "its expiry date, which is later",
}


def failed_fields(findings: Sequence[Finding]) -> list[str]:
    """The failed document checks, in words, for the summary."""
    return [
        _FAILED_WORDS.get(finding.check.code, finding.check.code.value)
        for finding in findings
        if finding.check.outcome is Outcome.FAIL
    ]
