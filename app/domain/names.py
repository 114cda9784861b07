"""Organisation-name folding and matching, and scope-text coverage (DESIGN.md, "Claims").

Legal forms come from app/domain/legal_forms.py (cleanco 2.3, compiled from Wikipedia's "List of
legal entity types by country", and a documented supplement).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from app.domain import legal_forms
from app.domain.facts import Outcome

NEAR_MATCH_THRESHOLD: float = 85.0
"""Lowest rapidfuzz score (0..100) at which a claimed organisation name is a near match (`warn`).

The score is the better of `fuzz.ratio` (edit similarity: catches typos such as "Manufacturng") and
`fuzz.token_sort_ratio` (the same with words sorted: catches reordering plus a typo) on folded
names. 85 tolerates about one wrong character in seven, which covers ordinary typos in names of
two words or more, while names that merely share a word ("Acme Foods" vs "Acme Steel") stay
below it and `fail`. An exact match of the folded names, or of their sorted words, is a `pass`
(score 100); a `pass` never depends on a fuzzy score, so a near match always needs a human look.

For short names the score is too strict: one substituted or swapped letter in a name of n letters
scores 100 * (1 - 1/n), below 85 up to six letters ("Tecso" for "Tesco" scores 80). Those are
caught by NEAR_MATCH_MIN_LENGTH instead; from seven letters on, one edit always reaches 85.
"""

NEAR_MATCH_MIN_LENGTH: int = 4
"""Fewest letters (and digits) for which folded names one edit apart are a near match (`warn`).

One edit is the Optimal String Alignment distance 1 (`rapidfuzz.distance.OSA`: one insertion,
deletion, substitution, or swap of adjacent letters), the commonest typing slip ("Tecso" for
"Tesco PLC"); the shorter folded name, spaces not counted, needs at least 4 characters. Names of
three letters or fewer are mostly acronyms, in which every letter is significant and a one-letter
change names another company ("ABB" is not "ABC"): they stay `fail`. From four letters a name is
mostly a word, where one slip is a typo more often than another company; a `warn` asks a human to
look, it never passes the claim. The rule decides names of 4 to 6 letters only: longer names one
edit apart already reach NEAR_MATCH_THRESHOLD.
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

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_text(text: str) -> str:
    """Fold free text to lower-case ASCII words so accents, case and punctuation never matter.

    Unicode normalisation form NFKC (UAX #15) comes first (issue 11, part 5), so compatibility
    forms fold as the characters they stand for before transliteration: the micro sign "µ" as
    the Greek "μ", the ohm sign "Ω" as the Greek "Ω", fullwidth "Ａｃｍｅ" as "Acme".
    """
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower().replace("&", " and ")
    return " ".join(_NON_ALNUM.sub(" ", ascii_text).split())


def _folded_forms(terms: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Terms as folded word sequences, without any that fold to nothing."""
    return frozenset(words for term in terms if (words := tuple(fold_text(term).split())))


_TRAILING_FORMS: frozenset[tuple[str, ...]] = frozenset(
    form
    for form in _folded_forms(
        (*legal_forms.CLEANCO_TERMS, *(form.written for form in legal_forms.TRAILING_SUPPLEMENT))
    )
    if " ".join(form) not in legal_forms.CLEANCO_EXCLUDED
)
_LEADING_FORMS: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {
    tuple(fold_text(form.written).split()): _folded_forms(form.companions)
    for form in legal_forms.LEADING_FORMS
}
_LONGEST_TRAILING: int = max(len(form) for form in _TRAILING_FORMS)
_LONGEST_LEADING: int = max(len(form) for form in _LEADING_FORMS)
_NATIVE_TRAILING: tuple[str, ...] = tuple(
    sorted({form.written for form in legal_forms.NATIVE_FORMS}, key=len, reverse=True)
)
_NATIVE_LEADING: tuple[str, ...] = tuple(
    sorted(
        {form.written for form in legal_forms.NATIVE_FORMS if form.leading}, key=len, reverse=True
    )
)
_AND = "and"  # "&" folds to it
_THE = "the"

LEGAL_FORMS: tuple[str, ...] = tuple(sorted(" ".join(form) for form in _TRAILING_FORMS))
"""Folded legal forms that may END a name, computed once at import: the terms of cleanco 2.3
(compiled from Wikipedia's "List of legal entity types by country") and the supplement of
app/domain/legal_forms.py, folded with `fold_text` ("Sp. z o.o." is "sp z o o"), without
CLEANCO_EXCLUDED ("uk")."""

LEADING_LEGAL_FORMS: tuple[str, ...] = tuple(sorted(" ".join(form) for form in _LEADING_FORMS))
"""Folded legal forms that may START a name: Indonesia's "PT" and "CV", Japan's "Kabushiki
Kaisha" (app/domain/legal_forms.py, LEADING_FORMS)."""


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How a claimed organisation name compares with a certificate's names."""

    outcome: Outcome
    score: float
    matched_name: str | None


def fold_name(name: str) -> str:
    """Fold an organisation name as a person reads it (DESIGN.md, "Verification rules").

    `fold_text`, then legal forms and a leading "The" are removed, ONLY at the edges of the name:

    - CJK forms written without spaces ("有限公司", "株式会社", "(주)"), from the NFKC text;
    - forms at the end, repeatedly, longest first (LEGAL_FORMS): "Acme Trading Co., Ltd." is
      "acme trading", "Henkel AG & Co. KGaA" is "henkel". A form right after "&"/"and" is part
      of the name ("Grand Hotel & Spa"), unless the form starts with it ("Smith & Co.");
    - a leading "The" ("The Acme Company Ltd" is "acme");
    - a form that starts names in its jurisdiction (LEADING_LEGAL_FORMS: "PT Bank Central Asia
      Tbk" is "bank central asia"), when every form removed from the end is one it goes with;
      "CV-Library Ltd" keeps its "cv".

    A form in the middle stays ("AG Barr plc" is "ag barr"). A name with nothing else left
    ("Company Limited", "The Co") keeps all its words.

    Stored as `name_key` of organisations and certification bodies; migrations/versions/
    0008_name_keys_edges.py re-keyed them with a frozen copy of this folding (0005_nfkc_keys.py
    with the one before); a change to the folding needs a migration of its own.
    """
    return _fold_name(name, leading_forms=True)


def _fold_name(name: str, *, leading_forms: bool) -> str:
    """`fold_name`, with or without removing a leading legal form."""
    text = _without_native_forms(unicodedata.normalize("NFKC", name))
    core = _without_edge_forms(fold_text(text).split(), leading_forms=leading_forms)
    return " ".join(core) if core else fold_text(name)


def _without_native_forms(text: str) -> str:
    """NFKC text without CJK legal forms at its end (repeatedly) and at its start."""
    text = text.strip()
    while form := next((f for f in _NATIVE_TRAILING if text.endswith(f) and text != f), None):
        text = text[: -len(form)].rstrip()
    form = next((f for f in _NATIVE_LEADING if text.startswith(f) and text != f), None)
    return text[len(form) :].lstrip() if form else text


def _without_edge_forms(tokens: Sequence[str], *, leading_forms: bool) -> Sequence[str]:
    """Folded words without legal forms at the end and start and a leading "The" (may be empty)."""
    end = len(tokens)
    removed: list[tuple[str, ...]] = []
    while end:
        for size in range(min(_LONGEST_TRAILING, end), 0, -1):
            form = tuple(tokens[end - size : end])
            after_and = end > size and tokens[end - size - 1] == _AND and form[0] != _AND
            if form in _TRAILING_FORMS and not after_and:
                removed.append(form)
                end -= size
                break
        else:
            break
    start = 1 if end and tokens[0] == _THE else 0
    if leading_forms:
        for size in range(min(_LONGEST_LEADING, end - start), 0, -1):
            companions = _LEADING_FORMS.get(tuple(tokens[start : start + size]))
            if companions is not None and all(form in companions for form in removed):
                start += size
                break
    return tokens[start:end]


_INITIALS = re.compile(r"\b[a-z](?: [a-z]\b)+")


def _joined_initials(folded: str) -> str:
    """A folded name with runs of one-letter words joined, as dotted initials are read ("a g
    barr" from "A.G. Barr" is "ag barr", "j p morgan" is "jp morgan")."""
    return _INITIALS.sub(lambda run: run.group(0).replace(" ", ""), folded)


def _keys(name: str) -> tuple[str, str, str]:
    """A name's folding with its leading legal form removed, with it kept, and the first with
    dotted initials joined (punctuation never matters, DESIGN.md "Claims")."""
    folded = _fold_name(name, leading_forms=True)
    return folded, _fold_name(name, leading_forms=False), _joined_initials(folded)


def _one_edit_apart(first: str, second: str) -> bool:
    """Whether two folded names are one edit apart and long enough for that to be a typo."""
    shortest = min(len(first.replace(" ", "")), len(second.replace(" ", "")))
    return shortest >= NEAR_MATCH_MIN_LENGTH and OSA.distance(first, second, score_cutoff=1) <= 1


def match_organization(claimed: str, names: Sequence[str]) -> NameMatch:
    """Best match of a claimed name against the certified name and aliases (DESIGN.md, "Claims").

    Names compare as `fold_name` folds them, also with a leading legal form kept ("CV
    Library" is "CV-Library Ltd", whose "CV" is not a form) and with dotted initials joined
    ("AG Barr" is "A.G. BARR p.l.c."): `pass` when the folded names are
    equal, also with words sorted; `warn` (a near match) when the best fuzzy score reaches
    NEAR_MATCH_THRESHOLD or the names are one edit apart (NEAR_MATCH_MIN_LENGTH); `fail`
    otherwise. The score reported is the fuzzy score, also for a near match by one edit.
    """
    claim_keys = _keys(claimed)
    if not claim_keys[0]:
        return NameMatch(Outcome.FAIL, 0.0, None)
    best_score = 0.0
    near_score, near_name = -1.0, None
    for name in names:
        name_keys = _keys(name)
        if not name_keys[0]:
            continue
        pairs = list(zip(claim_keys, name_keys, strict=True))
        if any(a == b or sorted(a.split()) == sorted(b.split()) for a, b in pairs):
            return NameMatch(Outcome.PASS, 100.0, name)
        score = max(max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) for a, b in pairs)
        best_score = max(best_score, score)
        near = score >= NEAR_MATCH_THRESHOLD or any(_one_edit_apart(a, b) for a, b in pairs)
        if near and score > near_score:
            near_score, near_name = score, name
    if near_name is not None:
        return NameMatch(Outcome.WARN, near_score, near_name)
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
