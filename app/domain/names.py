"""Organisation-name folding and matching, and scope-text coverage (DESIGN.md, "Claims")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

from app.domain.facts import Outcome

NEAR_MATCH_THRESHOLD: float = 85.0
"""Lowest rapidfuzz score (0..100) at which a claimed organisation name is a near match (`warn`).

The score is the better of `fuzz.ratio` (edit similarity: catches typos such as "Manufacturng") and
`fuzz.token_sort_ratio` (the same with words sorted: catches reordering plus a typo) on folded
names. 85 tolerates about one wrong character in seven, which covers ordinary typos in names of
two words or more, while names that merely share a word ("Acme Foods" vs "Acme Steel") stay
below it and `fail`. An exact match of the folded names, or of their sorted words, is a `pass`
(score 100); a `pass` never depends on a fuzzy score, so a near match always needs a human look.
"""

SEARCH_THRESHOLD: float = 80.0
"""Lowest `search_score` at which an organisation is listed in search results.

Search is for finding, not for deciding, so it is looser than NEAR_MATCH_THRESHOLD: `fuzz.WRatio`
also rewards a query that is a part of the name ("acme" finds "acme manufacturing").
"""

SCOPE_PARTIAL_THRESHOLD: float = 90.0
"""Lowest `fuzz.partial_ratio` of the folded claimed activity within the folded scope text that
counts as covered even when a word-by-word comparison does not (e.g. small spelling variants)."""

SCOPE_MIN_TOKEN_LENGTH: int = 3
"""Claimed words shorter than this ("of", "IT") are not significant for scope coverage."""

SCOPE_STEM_LENGTH: int = 5
"""Two words sharing a prefix of at least this many letters count as the same word
("manufacturing" and "manufacture" share "manufactur")."""

SCOPE_STOPWORDS: frozenset[str] = frozenset(
    {
        "and",
        "the",
        "for",
        "of",
        "with",
        "from",
        "into",
        "including",
        "incl",
        "all",
        "any",
        "other",
        "its",
        "their",
        "our",
        "per",
        "via",
        "such",
    }
)
"""Words that carry no activity and are ignored when comparing a claimed activity to a scope."""

LEGAL_FORMS: tuple[str, ...] = (
    # English-speaking jurisdictions.
    "ltd",
    "limited",
    "plc",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "pty",
    "pte",
    "pvt",
    "private",
    "public",
    "l l c",
    "l l p",
    "p l c",
    "and co",
    "and company",
    # German-speaking ("GmbH & Co. KG" folds to "gmbh and co kg").
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "mbh",
    "co kg",
    "and co kg",
    # French, Spanish, Italian, Portuguese, Latin America ("S.A." folds to "s a").
    "sa",
    "sas",
    "sarl",
    "sl",
    "srl",
    "spa",
    "ltda",
    "s a",
    "s a s",
    "s a r l",
    "s l",
    "s r l",
    "s p a",
    "sa de cv",
    "s a de c v",
    # Dutch, Nordic.
    "bv",
    "nv",
    "b v",
    "n v",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "a s",
    "aps",
    # Asia-Pacific.
    "kk",
    "k k",
    "sdn",
    "bhd",
)
"""Legal-form words dropped when folding names, as token sequences after punctuation removal.

Dropped wherever they occur (both sides are folded alike, so "Acme Ltd" equals "Acme Limited" and
"ACME Co., Ltd."), but only when at least one other word remains ("Company Limited" stays).
"""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LEGAL_FORM_SEQUENCES: frozenset[tuple[str, ...]] = frozenset(
    tuple(form.split()) for form in LEGAL_FORMS
)
_LONGEST_LEGAL_FORM: int = max(len(sequence) for sequence in _LEGAL_FORM_SEQUENCES)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How a claimed organisation name compares with a certificate's names."""

    outcome: Outcome
    score: float
    matched_name: str | None


def fold_text(text: str) -> str:
    """Fold free text to lower-case ASCII words so accents, case and punctuation never matter.

    Unicode normalisation form NFKC (UAX #15) comes first (issue 11, part 5), so compatibility
    forms fold as the characters they stand for before transliteration: the micro sign "µ" as
    the Greek "μ", the ohm sign "Ω" as the Greek "Ω", fullwidth "Ａｃｍｅ" as "Acme".
    """
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower().replace("&", " and ")
    return " ".join(_NON_ALNUM.sub(" ", ascii_text).split())


def fold_name(name: str) -> str:
    """Fold an organisation name: `fold_text` without legal forms (DESIGN.md, "Claims").

    Stored as `name_key` of organisations and certification bodies; migrations/versions/
    0005_nfkc_keys.py re-keyed them with a frozen copy of this folding; change both or neither.
    """
    tokens = fold_text(name).split()
    return " ".join(_strip_legal_forms(tokens))


def _strip_legal_forms(tokens: Sequence[str]) -> list[str]:
    """Drop legal-form token sequences, longest first; keep all tokens if nothing else is left."""
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST_LEGAL_FORM, len(tokens) - index), 0, -1):
            if tuple(tokens[index : index + size]) in _LEGAL_FORM_SEQUENCES:
                index += size
                break
        else:
            kept.append(tokens[index])
            index += 1
    return kept or list(tokens)


def match_organization(claimed: str, names: Sequence[str]) -> NameMatch:
    """Best match of a claimed name against the certified name and aliases (DESIGN.md, "Claims").

    `pass` when the folded names are equal, also with words sorted; `warn` when the best fuzzy
    score reaches NEAR_MATCH_THRESHOLD; `fail` otherwise.
    """
    folded_claim = fold_name(claimed)
    if not folded_claim:
        return NameMatch(Outcome.FAIL, 0.0, None)
    sorted_claim = sorted(folded_claim.split())
    best_score = 0.0
    best_name: str | None = None
    for name in names:
        folded = fold_name(name)
        if not folded:
            continue
        if folded == folded_claim or sorted(folded.split()) == sorted_claim:
            return NameMatch(Outcome.PASS, 100.0, name)
        score = max(fuzz.ratio(folded_claim, folded), fuzz.token_sort_ratio(folded_claim, folded))
        if score > best_score:
            best_score, best_name = score, name
    if best_score >= NEAR_MATCH_THRESHOLD:
        return NameMatch(Outcome.WARN, best_score, best_name)
    return NameMatch(Outcome.FAIL, best_score, None)


def search_score(query: str, name_folded: str) -> float:
    """Rank an organisation for search: WRatio of the folded query against a folded name."""
    folded_query = fold_name(query)
    if not folded_query or not name_folded:
        return 0.0
    return float(fuzz.WRatio(folded_query, name_folded))


def _significant_tokens(tokens: Iterable[str]) -> list[str]:
    """Claimed words that carry meaning: long enough and not stopwords."""
    return [
        token
        for token in tokens
        if len(token) >= SCOPE_MIN_TOKEN_LENGTH and token not in SCOPE_STOPWORDS
    ]


def _singular(token: str) -> str:
    """Crude English singular ("tubes" -> "tube") so plurals never decide coverage."""
    return token[:-1] if len(token) > SCOPE_MIN_TOKEN_LENGTH and token.endswith("s") else token


def _common_prefix_length(first: str, second: str) -> int:
    """Length of the longest common prefix of two words."""
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def _token_covered(token: str, scope_tokens: frozenset[str]) -> bool:
    """Whether a claimed word appears in the scope exactly, as a plural, or by a shared stem."""
    if token in scope_tokens:
        return True
    singular = _singular(token)
    return any(
        _singular(other) == singular or _common_prefix_length(token, other) >= SCOPE_STEM_LENGTH
        for other in scope_tokens
    )


def scope_covers(claimed_activity: str, scope: str) -> bool:
    """Whether a claimed activity is evidently within a certificate's scope text (DESIGN.md).

    True when every significant claimed word is in the scope (exactly, as a plural or by a shared
    stem of SCOPE_STEM_LENGTH letters), or the claim appears almost verbatim in the scope
    (`fuzz.partial_ratio` >= SCOPE_PARTIAL_THRESHOLD). A claim of only short words uses those words.
    """
    folded_claim = fold_text(claimed_activity)
    folded_scope = fold_text(scope)
    claim_tokens = folded_claim.split()
    if not claim_tokens:
        return True
    significant = _significant_tokens(claim_tokens) or [
        token for token in claim_tokens if token not in SCOPE_STOPWORDS
    ]
    scope_tokens = frozenset(folded_scope.split())
    if all(_token_covered(token, scope_tokens) for token in significant):
        return True
    return (
        len(folded_claim) <= len(folded_scope)
        and fuzz.partial_ratio(folded_claim, folded_scope) >= SCOPE_PARTIAL_THRESHOLD
    )
