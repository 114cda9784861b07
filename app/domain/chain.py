"""The chain section: what reference data says about the accreditation body (AB) and the
certification body (CB) a certificate names, also when the registry holds no record of the
certificate (issue 17, item 4; API.md, "Added in the second round": `chain`).

Most certificates are in no registry, and the commonest fakes name a real-looking CB
"accredited" by a body that is no MLA signatory. So, from reference data alone:

- the named AB is an AB of the reference data (`recognised`: true, false, or null when that
  cannot be told), judged by the engine's own rule (`verification.mla_recognition`: MLA scope
  for the standard, dated, under the arrangement in force on the date); or a known look-alike
  (`lookalike`: true) of the sourced list (app/reference/lookalike_accreditation_bodies.json,
  built by scripts/build_reference_data.py), matched on its FULL name, folded as organisation
  names are (app/domain/names.py `fold_name`), and on its country where both the list and the
  name give one; never on an acronym alone ("SAC" is the Singapore Accreditation Council, the
  Saudi Accreditation Center and a "Sweden Accreditation Cooperation" invented by a look-alike).
  The list's legitimate bodies easily confused with look-alikes (EIAC, EGAC, SAAC, SAC, IAS, ...)
  resolve to themselves, and its unresolved entries are never flagged; anything else is
  "cannot tell" (null), never reported as fake.
- the named CB is known here (app/domain/bodies.py `resolve_body`, through the caller), and
  accredited for the standard on the date by that AB (or, when none is named, by an AB whose
  recognition does not fail), by the engine's accreditation rule
  (`verification.accreditation_active_at`; DESIGN.md, "Precise readings": at the issue date any
  record, at the date asked about one active and within its validity).

Pure: the caller passes the reference data (`ChainReference`), the resolved CB and its
accreditations, and the date.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.domain.countries import country_code
from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificationBodyFact,
    Outcome,
    RecognitionArrangement,
)
from app.domain.names import fold_name, fold_text
from app.domain.normalize import standard_code_key
from app.domain.standards import read_standard
from app.domain.verification import accreditation_active_at, arrangement_at, mla_recognition

Classification = Literal["look-alike", "legitimate-but-confusable", "unresolved"]

GLOBAL_ACI_SIGNATORIES = "https://global-aci.org"
"""Where a buyer checks an AB this service cannot judge: Global ACI, which since 2026-01-01
operates the arrangement (the list's entry "Global Accreditation Cooperation Incorporated")."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One source of a listed body: its URL, kind ("A": IAF/Global ACI, a recognised AB, a
    government or standards body; "S": anything else) and what it says."""

    url: str
    kind: str
    summary: str


@dataclass(frozen=True, slots=True)
class ListedBody:
    """One entry of the sourced look-alike list: its full names (never only acronyms), its
    acronyms, the countries it places the body in, its classification, why a look-alike is not
    a signatory (`reason`), what it is (`description`, the list's `claims`), its notes and its
    evidence."""

    name: str
    names: tuple[str, ...]
    acronyms: tuple[str, ...]
    countries: tuple[str, ...]
    classification: Classification
    reason: str | None = None
    description: str | None = None
    notes: str | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def source(self) -> str | None:
        """The entry's first authoritative source ([A]), else its first source."""
        for item in self.evidence:
            if item.kind == "A":
                return item.url
        return self.evidence[0].url if self.evidence else None

    @property
    def shown(self) -> str:
        """How messages name it: its first full name, else its listed name."""
        return self.names[0] if self.names else self.name


@dataclass(frozen=True, slots=True)
class ChainReference:
    """The reference data the chain rule reads: the registry's accreditation bodies (seeded
    from the shipped reference data or written through the API), the sourced look-alike list,
    the standard codes outside the MLA's scope, and the recognition arrangements by date."""

    accreditation_bodies: tuple[AccreditationBodyFact, ...]
    listed: tuple[ListedBody, ...]
    outside_mla_scope: frozenset[str] = frozenset()
    arrangements: tuple[RecognitionArrangement, ...] = ()


# --- reading a named body -----------------------------------------------------------------------

_LEAD_IN = re.compile(r"^\s*(?:accredited\s+by|accreditation\s+body\s*:)\s*", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
_TRAILER = re.compile(r"\s*(?:,|\s[-\u2013\u2014]\s)\s*([^,()]+?)\s*$")
_QUALIFIER = re.compile(r"^\s*(?:also\s+listed\s+as|formerly)\s+", re.IGNORECASE)
MAX_ACRONYM_LENGTH = 12
"""Longest acronym read beside a name ("(SAC)", "- UKAS"): letters and digits counted."""


@functools.lru_cache(maxsize=8192)
def compact(text: str) -> str:
    """Letters and digits only, upper case: how acronyms compare ("JAS-ANZ" = "JAS ANZ")."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


@functools.lru_cache(maxsize=1024)
def _compacted(acronyms: tuple[str, ...]) -> frozenset[str]:
    """A body's acronyms, compacted."""
    return frozenset(compact(acronym) for acronym in acronyms)


def _looks_like_acronym(text: str) -> bool:
    """One word of 2..12 letters and digits written with capitals inside ("SAC", "NiNAS",
    "i-NAF"): an acronym beside a name, not a further word of it ("Europe", "Inc.")."""
    word = text.strip()
    letters = compact(word)
    if not word or any(ch.isspace() for ch in word) or not 2 <= len(letters) <= MAX_ACRONYM_LENGTH:
        return False
    return word.isupper() or any(ch.isupper() for ch in word[1:])


def _country(text: str) -> str | None:
    """The alpha-2 code of a country written beside a name, or None."""
    try:
        return country_code(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class NamedBody:
    """A named body as read: the text, its name without what is written beside it, further
    names given in parentheses, an acronym given beside it ("(SAC)", "- UKAS") and a country
    given beside it ("(USA)", ", Singapore")."""

    text: str
    name: str
    other_names: tuple[str, ...] = ()
    acronym: str | None = None
    country: str | None = None


def read_named_body(named: str) -> NamedBody:
    """Read a named body as printed: "accredited by" dropped; a parenthesis or a trailing
    ", ..." / " - ..." holding a country gives the country, one holding an acronym the acronym,
    and any other parenthesis a further name ("IQNet (The International Certification
    Network)")."""
    text = _LEAD_IN.sub("", named.strip())
    acronym: str | None = None
    country: str | None = None
    others: list[str] = []
    for inner in _PARENTHESIS.findall(text):
        found = _country(inner)
        if found is not None:
            country = country or found
        elif _looks_like_acronym(inner):
            acronym = acronym or inner.strip()
        elif inner.strip():
            others.append(inner.strip())
    name = _PARENTHESIS.sub(" ", text).strip()
    for _ in range(2):  # "..., Inc., USA": a country and an acronym may both trail
        match = _TRAILER.search(name)
        if match is None:
            break
        tail = match.group(1)
        found = _country(tail)
        if found is not None:
            country = country or found
        elif _looks_like_acronym(tail):
            acronym = acronym or tail.strip()
        else:
            break
        name = name[: match.start()].strip()
    return NamedBody(
        text=named.strip(),
        name=name or text,
        other_names=tuple(others),
        acronym=acronym,
        country=country,
    )


_name_key = functools.lru_cache(maxsize=8192)(fold_name)


@functools.lru_cache(maxsize=4096)
def _full_name_keys(names: tuple[str, ...]) -> frozenset[str]:
    """Folded names (`fold_name`) of at least two words: names that can identify a body."""
    keys = set()
    for name in names:
        if len(fold_text(name).split()) >= 2:
            keys.add(_name_key(name))
    return frozenset(keys)


@functools.lru_cache(maxsize=1024)
def body_names(name: str) -> tuple[str, ...]:
    """A registry AB's names: its name, without and within its parentheses ("Dutch
    Accreditation Council (Raad voor Accreditatie)"), and each part of a name given as
    "A / B"; "also listed as" and "formerly" dropped."""
    variants = [name, _PARENTHESIS.sub(" ", name)]
    for inner in _PARENTHESIS.findall(name):
        variants.extend(re.split(r",|;| / ", _QUALIFIER.sub("", inner)))
    variants.extend(_PARENTHESIS.sub(" ", part) for part in name.split(" / "))
    return tuple(dict.fromkeys(v.strip() for v in variants if v.strip()))


def _fits(country: str | None, countries: Iterable[str | None]) -> bool:
    """A named country agrees with a body's countries (either unknown: it does)."""
    known = {c for c in countries if c}
    return country is None or not known or country in known


def _same_body(body: AccreditationBodyFact, entry: ListedBody) -> bool:
    """A registry AB and a listed entry are one body: a full name in common, or an acronym in
    common with the AB's economy among the entry's countries ("National Accreditation Center
    of Iran", NACI, IR, is the list's "National Accreditation Centre of Iran")."""
    if _full_name_keys(body_names(body.name)) & _full_name_keys(entry.names):
        return True
    return compact(body.acronym) in _compacted(entry.acronyms) and body.economy in entry.countries


IdentifiedBy = Literal["name", "acronym", "ambiguous", "unknown"]


@dataclass(frozen=True, slots=True)
class IdentifiedBody:
    """Which body a named AB is: `by` "name" (a full name, with its country when given),
    "acronym" (an acronym that only one body of the reference data and the list carries),
    "ambiguous" (an acronym several bodies carry) or "unknown". `body` is the registry AB it
    is, `listed` the list's entry for it, `acronym_of` the list's entries that carry the acronym
    named, `candidates` the bodies an ambiguous acronym may mean (described in words);
    `full_name` whether the name was read as a full name (else as an acronym), `matched_name`
    the list's name it matched, `borrowed_from` the bodies whose acronym an unknown full name
    carries beside it (in words)."""

    named: NamedBody
    by: IdentifiedBy
    full_name: bool
    body: AccreditationBodyFact | None = None
    listed: ListedBody | None = None
    acronym_of: tuple[ListedBody, ...] = ()
    candidates: tuple[str, ...] = ()
    matched_name: str | None = None
    borrowed_from: tuple[str, ...] = ()

    @property
    def lookalike(self) -> bool:
        """Flagged as a look-alike: named by its full name (never an acronym alone) and
        listed as one (DESIGN of this module; the list's "Match on full name plus country,
        never acronym alone")."""
        return (
            self.by == "name"
            and self.listed is not None
            and self.listed.classification == "look-alike"
        )


_KNOWN_ACRONYMS: dict[int, tuple[ChainReference, frozenset[str]]] = {}


def _known_acronyms(reference: ChainReference) -> frozenset[str]:
    """Every acronym of the reference data and of the list, compacted (kept per reference:
    the fact cache hands the same one to every verification of a generation)."""
    known = _KNOWN_ACRONYMS.get(id(reference))
    if known is not None and known[0] is reference:
        return known[1]
    acronyms = frozenset(
        {compact(body.acronym) for body in reference.accreditation_bodies}
        | {code for entry in reference.listed for code in _compacted(entry.acronyms)}
    )
    if len(_KNOWN_ACRONYMS) >= 8:
        _KNOWN_ACRONYMS.clear()
    _KNOWN_ACRONYMS[id(reference)] = (reference, acronyms)
    return acronyms


def _describe_listed(entry: ListedBody) -> str:
    """ "Saudi Accreditation Center (SA), a legitimate body" and the like."""
    where = f" ({', '.join(entry.countries)})" if entry.countries else ""
    kind = {
        "look-alike": "a known look-alike",
        "legitimate-but-confusable": "a legitimate body",
        "unresolved": "a body whose recognition is unresolved",
    }[entry.classification]
    return f"{entry.shown}{where}, {kind}"


def _describe_body(body: AccreditationBodyFact) -> str:
    """ "SAC (Singapore Accreditation Council, SG)"."""
    economy = f", {body.economy}" if body.economy else ""
    return f"{body.acronym} ({body.name}{economy})"


def identify_accreditation_body(named: str, reference: ChainReference) -> IdentifiedBody:
    """Which AB `named` means, by the rule of this module's docstring.

    A name of two words or more that is not itself a known acronym is a full name: it is
    matched (`fold_name`, so case, accents, punctuation and legal forms do not matter) against
    the registry ABs' names and the list's full names, keeping only bodies whose country agrees
    with a country written beside the name. A registry AB found so is paired with its list
    entry (the same body, `_same_body`), and a list entry with its registry AB. Anything else
    is an acronym: it identifies a registry AB only when no other body of the list carries it
    (a country written beside it settles between them where the list gives countries);
    otherwise it is "ambiguous", or, carried only by listed bodies, identifies none of them
    (an acronym alone never flags a body: the list's companion .md, "Match on full name plus
    country, never acronym alone"). A full name that matches nothing is "unknown", even when an
    acronym beside it is a real body's: look-alikes borrow real acronyms.
    """
    read = read_named_body(named)
    bodies = reference.accreditation_bodies
    full = len(fold_text(read.name).split()) >= 2 and compact(read.name) not in _known_acronyms(
        reference
    )
    acronym = read.acronym if full else read.name
    code = compact(acronym) if acronym else ""
    acronym_of = tuple(
        entry for entry in reference.listed if code and code in _compacted(entry.acronyms)
    )
    if full:
        keys = _full_name_keys((read.name, *read.other_names))
        body = next(
            (
                ab
                for ab in bodies
                if keys & _full_name_keys(body_names(ab.name)) and _fits(read.country, [ab.economy])
            ),
            None,
        )
        listed = next(
            (
                entry
                for entry in reference.listed
                if keys & _full_name_keys(entry.names) and _fits(read.country, entry.countries)
            ),
            None,
        )
        matched = (
            next(name for name in listed.names if _full_name_keys((name,)) & keys)
            if listed is not None
            else None
        )
        if body is not None and listed is None:
            listed = next((entry for entry in reference.listed if _same_body(body, entry)), None)
        if listed is not None and body is None:
            body = next((ab for ab in bodies if _same_body(ab, listed)), None)
        if body is not None or listed is not None:
            return IdentifiedBody(
                read,
                "name",
                True,
                body=body,
                listed=listed,
                acronym_of=acronym_of,
                matched_name=matched,
            )
        borrowed = tuple(
            [_describe_body(ab) for ab in bodies if code and compact(ab.acronym) == code]
            + [
                _describe_listed(entry)
                for entry in acronym_of
                if not any(_same_body(ab, entry) for ab in bodies if compact(ab.acronym) == code)
            ]
        )
        return IdentifiedBody(read, "unknown", True, acronym_of=acronym_of, borrowed_from=borrowed)
    registered = [
        ab for ab in bodies if compact(ab.acronym) == code and _fits(read.country, [ab.economy])
    ]
    carriers = tuple(entry for entry in acronym_of if _fits(read.country, entry.countries))
    if registered:
        body = registered[0]
        same = [entry for entry in carriers if _same_body(body, entry)]
        others = [entry for entry in carriers if not _same_body(body, entry)]
        if not others:
            return IdentifiedBody(
                read,
                "acronym",
                False,
                body=body,
                listed=same[0] if same else None,
                acronym_of=acronym_of,
            )
        return IdentifiedBody(
            read,
            "ambiguous",
            False,
            acronym_of=acronym_of,
            candidates=(
                f"{body.name}{f' ({body.economy})' if body.economy else ''}, an accreditation "
                "body of this service's reference data",
                *(_describe_listed(entry) for entry in others),
            ),
        )
    if len(carriers) > 1:
        return IdentifiedBody(
            read,
            "ambiguous",
            False,
            acronym_of=acronym_of,
            candidates=tuple(_describe_listed(entry) for entry in carriers),
        )
    return IdentifiedBody(read, "unknown", False, acronym_of=acronym_of)


# --- the findings -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccreditationBodyFinding:
    """`chain.accreditation_body` (API.md): the AB as named, whether it is recognised for the
    standard on the date (None: cannot tell), whether it is a known look-alike, in words."""

    named: str | None
    recognised: bool | None
    lookalike: bool
    message: str


@dataclass(frozen=True, slots=True)
class CertificationBodyFinding:
    """`chain.certification_body` (API.md): the CB as named, whether it is known here, whether
    it is accredited for the standard on the date (None: cannot tell), in words."""

    named: str | None
    known: bool
    accredited_for_standard: bool | None
    message: str


@dataclass(frozen=True, slots=True)
class ChainFindings:
    """The chain section of a verification."""

    accreditation_body: AccreditationBodyFinding
    certification_body: CertificationBodyFinding

    def as_dict(self) -> dict[str, Any]:
        """The section as API.md writes it."""
        ab, cb = self.accreditation_body, self.certification_body
        return {
            "accreditation_body": {
                "named": ab.named,
                "recognised": ab.recognised,
                "lookalike": ab.lookalike,
                "message": ab.message,
            },
            "certification_body": {
                "named": cb.named,
                "known": cb.known,
                "accredited_for_standard": cb.accredited_for_standard,
                "message": cb.message,
            },
        }


@dataclass(frozen=True, slots=True)
class ChainQuestion:
    """What the chain is checked for: the AB and CB as named (typed or read from a document),
    the CB as resolved (None when not recognised) with its accreditations, the claimed standard
    as written, the date, and the certificate's issue date when known (a document's)."""

    as_of: date
    accreditation_body: str | None = None
    certification_body: str | None = None
    certification_body_fact: CertificationBodyFact | None = None
    accreditations: tuple[AccreditationFact, ...] = ()
    standard: str | None = None
    issue_date: date | None = None


@dataclass(frozen=True, slots=True)
class _Standard:
    """The claimed standard as read: its code, whether it lies in the MLA's scope, or why not."""

    code: str | None
    in_mla_scope: bool = True
    unreadable: str | None = None


def _standard(claimed: str | None, reference: ChainReference) -> _Standard:
    """The code of the claimed standard (one grammar: app/domain/standards.py)."""
    text = (claimed or "").strip()
    if not text:
        return _Standard(None)
    read = read_standard(text)
    if read is None:
        return _Standard(None, unreadable=text)
    return _Standard(read.code, standard_code_key(read.code) not in reference.outside_mla_scope)


_NO_STANDARD = "name the standard printed on the certificate to check it"


def _quoted(named: str) -> str:
    return f'"{named}"'


def _listed_source(entry: ListedBody) -> str:
    """ " (source: URL)" for an entry with sources."""
    return f" (source: {entry.source})" if entry.source else ""


def accreditation_body_finding(
    identified: IdentifiedBody | None,
    standard: _Standard,
    as_of: date,
    arrangement: RecognitionArrangement | None,
) -> AccreditationBodyFinding:
    """`chain.accreditation_body`: a look-alike (named by full name) is not recognised, with
    the reason of its group and its source (the list's evidence: IAF's page of the six
    regional groups, EA's and UKAS's one-national-body statements, ISO's "a company cannot be
    accredited by ISO", ...); an AB of the reference data is judged by the engine's recognition
    rule (`mla_recognition`: DESIGN.md, "Recognition", "Recognition scope"; a warning there,
    "not confirmed", is null here); anything else is null: cannot tell, never fake."""
    if identified is None:
        return AccreditationBodyFinding(
            None,
            None,
            False,
            "No accreditation body was named: an accredited certificate names its accreditation "
            "body beside its mark; name it to check it",
        )
    named = identified.named.text
    listed = identified.listed
    if identified.lookalike:
        assert listed is not None
        return AccreditationBodyFinding(
            named,
            False,
            True,
            f"{_quoted(named)} is {identified.matched_name or listed.shown}, a known look-alike "
            f"accreditation body: {listed.reason or 'it is not an MLA signatory'}. "
            "Accreditation by it carries no "
            f"MLA recognition{_listed_source(listed)}",
        )
    body = identified.body
    if body is not None:
        shown = _describe_body(body)
        if standard.code is None:
            why = (
                f"the standard {_quoted(standard.unreadable)} could not be read"
                if standard.unreadable
                else "no standard was named"
            )
            recognised: bool | None = None
            said = f"{why}; {_NO_STANDARD}"
        else:
            recognition = mla_recognition(
                body, standard.code, standard.in_mla_scope, as_of, arrangement
            )
            recognised = {Outcome.PASS: True, Outcome.FAIL: False}.get(recognition.outcome)
            said = f"on {as_of}, {recognition.message}" if recognised else recognition.message
            if recognised is None and standard.in_mla_scope:
                said += (
                    " from this service's reference data, which lists only the scopes its "
                    "sources confirm; check it on the Global ACI list of signatories "
                    f"({GLOBAL_ACI_SIGNATORIES})"
                )
        message = (
            f"{_quoted(named)} is {shown}, an accreditation body of this service's reference "
            f"data: {said}"
        )
        if listed is not None and listed.classification == "look-alike":
            message += (
                f". The sourced list of look-alikes says {listed.shown} is not an MLA signatory "
                f"({listed.reason}){_listed_source(listed)}; it was named by its acronym only, "
                "which does not identify a body: give the full name printed on the certificate"
            )
        elif listed is not None and listed.classification == "unresolved":
            message += (
                ". The sourced list of look-alikes leaves its recognition unresolved, so it is "
                f"not flagged on its name{_listed_source(listed)}"
            )
        return AccreditationBodyFinding(named, recognised, False, message)
    if identified.by == "name" and listed is not None:
        what = f" ({listed.description})" if listed.description else ""
        if listed.classification == "unresolved":
            message = (
                f"{_quoted(named)} is {listed.shown}{what}, whose recognition the sourced list "
                "leaves unresolved, so it is not flagged on its name: check it on the Global ACI "
                f"list of signatories ({GLOBAL_ACI_SIGNATORIES})"
            )
        else:
            message = (
                f"{_quoted(named)} is {listed.shown}{what}, a legitimate body but not an "
                "accreditation body of this service's reference data, so its recognition "
                "cannot be told here"
            )
        return AccreditationBodyFinding(named, None, False, message)
    if identified.by == "ambiguous":
        return AccreditationBodyFinding(
            named,
            None,
            False,
            f"{_quoted(named)} is an acronym of several bodies: "
            f"{'; '.join(identified.candidates)}. An acronym alone does not identify an "
            "accreditation body: give the full name printed on the certificate",
        )
    if not identified.full_name and identified.acronym_of:
        meant = "; ".join(
            _describe_listed(entry) + (f" ({entry.reason})" if entry.reason else "")
            for entry in identified.acronym_of
        )
        return AccreditationBodyFinding(
            named,
            None,
            False,
            f"{_quoted(named)} is only an acronym, that of {meant}. An acronym alone does not "
            "identify an accreditation body, so it is not flagged: give the full name printed "
            "on the certificate",
        )
    message = (
        f"{_quoted(named)} is neither an accreditation body of this service's reference data "
        "nor on its sourced list of look-alikes, so whether it is recognised cannot be told "
        f"here: check it on the Global ACI list of signatories ({GLOBAL_ACI_SIGNATORIES})"
    )
    if identified.borrowed_from:
        message += (
            f". The acronym beside it is that of {'; '.join(identified.borrowed_from)}, whose "
            "name differs: look-alikes borrow real acronyms"
        )
    return AccreditationBodyFinding(named, None, False, message)


def _accreditation_words(accreditations: Sequence[AccreditationFact]) -> str:
    """ "UKAS (accreditation 4127)", for messages; each AB once."""
    seen: dict[str, str] = {}
    for accreditation in accreditations:
        body = accreditation.accreditation_body
        seen.setdefault(
            body.id, f"{body.acronym} (accreditation {accreditation.accreditation_number})"
        )
    return ", ".join(seen.values())


def certification_body_finding(
    question: ChainQuestion,
    identified: IdentifiedBody | None,
    standard: _Standard,
    arrangement: RecognitionArrangement | None,
) -> CertificationBodyFinding:
    """`chain.certification_body`: known when the named CB resolved (DESIGN.md, "CB
    resolution"); accredited for the standard when one of its accreditations for the
    standard's code is active on the date (and one was on the issue date, when known), by the
    named AB, or, when no AB was named, by an AB whose recognition does not fail
    (`accreditation_active_at`, `mla_recognition`; DESIGN.md, "Precise readings" and
    "Recognition"). An accreditation not recorded here is `false` for a CB known here, as the
    engine's `cb_accreditation` reads the registry; null when it cannot be told (CB unknown, no
    standard, or an AB named that could not be identified while the CB holds another's)."""
    named = question.certification_body
    cb = question.certification_body_fact
    as_of = question.as_of
    if not named:
        return CertificationBodyFinding(
            None,
            False,
            None,
            "No certification body was named; name the issuer printed on the certificate",
        )
    if cb is None:
        return CertificationBodyFinding(
            named,
            False,
            None,
            f"{_quoted(named)} is not a certification body this registry knows, so its "
            "accreditation cannot be checked here: ask the accreditation body named on the "
            "certificate whether it accredits this certification body for the standard",
        )
    who = f"{_quoted(named)} is {cb.name}, known here"
    if standard.code is None:
        held = sorted(
            {
                accreditation.standard_code
                for accreditation in question.accreditations
                if accreditation_active_at(accreditation, as_of)
            }
        )
        listed = f"; on {as_of} it is accredited here for {', '.join(held)}" if held else ""
        why = (
            f"the standard {_quoted(standard.unreadable)} could not be read"
            if standard.unreadable
            else "no standard was named"
        )
        return CertificationBodyFinding(
            named, True, None, f"{who}; {why}, so {_NO_STANDARD}{listed}"
        )
    key = standard_code_key(standard.code)
    relevant = [
        accreditation
        for accreditation in question.accreditations
        if standard_code_key(accreditation.standard_code) == key
    ]
    active = [
        accreditation for accreditation in relevant if accreditation_active_at(accreditation, as_of)
    ]
    issue_date = question.issue_date
    if (
        active
        and issue_date is not None
        and not any(
            accreditation_active_at(accreditation, issue_date) for accreditation in relevant
        )
    ):
        return CertificationBodyFinding(
            named,
            True,
            False,
            f"{who}, but it was not accredited for {standard.code} on the issue date {issue_date}",
        )
    std = standard.code
    if identified is not None and identified.lookalike:
        also = (
            f". It is accredited for {std} by {_accreditation_words(active)}, so a "
            "certificate naming a look-alike was not issued under that accreditation"
            if active
            else ""
        )
        return CertificationBodyFinding(
            named,
            True,
            False,
            f"{who}, and it holds no accreditation from {_quoted(identified.named.text)}: a "
            f"look-alike accredits nothing recorded here{also}",
        )
    if identified is not None and identified.body is not None:
        body = identified.body
        by_body = [a for a in active if a.accreditation_body.id == body.id]
        if by_body:
            return CertificationBodyFinding(
                named,
                True,
                True,
                f"{who}: it is accredited for {std} by {_accreditation_words(by_body)} on {as_of}",
            )
        others = (
            f"; here it is accredited for {std} by {_accreditation_words(active)}" if active else ""
        )
        return CertificationBodyFinding(
            named,
            True,
            False,
            f"{who}, but it holds no accreditation for {std} from {body.acronym} on "
            f"{as_of}{others}",
        )
    if identified is not None:
        if active:
            return CertificationBodyFinding(
                named,
                True,
                None,
                f"{who}: it is accredited for {std} by {_accreditation_words(active)} on {as_of}; "
                f"{_quoted(identified.named.text)} could not be identified as that body",
            )
        return CertificationBodyFinding(
            named, True, False, f"{who}, but it holds no accreditation for {std} here on {as_of}"
        )
    recognised = [
        a
        for a in active
        if mla_recognition(
            a.accreditation_body, std, standard.in_mla_scope, as_of, arrangement
        ).outcome
        is not Outcome.FAIL
    ]
    if recognised:
        return CertificationBodyFinding(
            named,
            True,
            True,
            f"{who}: it is accredited for {std} by {_accreditation_words(recognised)} on {as_of}",
        )
    if active:
        return CertificationBodyFinding(
            named,
            True,
            False,
            f"{who}, but on {as_of} it is accredited for {std} only by "
            f"{_accreditation_words(active)}, not recognised for it",
        )
    return CertificationBodyFinding(
        named, True, False, f"{who}, but it holds no accreditation for {std} here on {as_of}"
    )


def check_chain(question: ChainQuestion, reference: ChainReference) -> ChainFindings:
    """The chain section for a question (this module's docstring): the named AB identified
    (`identify_accreditation_body`) and judged (`accreditation_body_finding`), the named CB
    judged with it (`certification_body_finding`), on `as_of` under the arrangement in force
    then (`arrangement_at`)."""
    standard = _standard(question.standard, reference)
    arrangement = arrangement_at(reference.arrangements, question.as_of)
    named_ab = (question.accreditation_body or "").strip()
    identified = identify_accreditation_body(named_ab, reference) if named_ab else None
    return ChainFindings(
        accreditation_body=accreditation_body_finding(
            identified, standard, question.as_of, arrangement
        ),
        certification_body=certification_body_finding(question, identified, standard, arrangement),
    )
