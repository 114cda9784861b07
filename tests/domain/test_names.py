"""Organisation-name folding and matching, and scope coverage (DESIGN.md, "Claims")."""

from __future__ import annotations

import pytest

from app.domain.facts import Outcome
from app.domain.names import (
    NEAR_MATCH_THRESHOLD,
    SEARCH_THRESHOLD,
    fold_name,
    fold_text,
    match_organization,
    scope_covers,
    search_score,
)


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Müller GmbH", "muller"),
        ("MULLER", "muller"),
        ("Straße Bau AG", "strasse bau"),
        ("Acme Ltd", "acme"),
        ("ACME Limited", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme SA", "acme"),
        ("Acme, Inc.", "acme"),
        ("Acme LLC", "acme"),
        ("Acme L.L.C.", "acme"),
        ("ACME Co., Ltd.", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme Sdn Bhd", "acme"),
        ("Société Générale S.A.S.", "societe generale"),
        ("Johnson & Johnson", "johnson and johnson"),
        ("  Acme   (UK)  Holdings ", "acme uk holdings"),
        ("Company Limited", "company limited"),
        ("AB", "ab"),
        ("", ""),
    ],
)
def test_fold_name_ignores_case_accents_punctuation_and_legal_forms(name: str, folded: str) -> None:
    """DESIGN.md, Claims: names compare after folding case, accents, punctuation, legal forms."""
    assert fold_name(name) == folded


@pytest.mark.parametrize(
    ("name", "equivalent", "folded"),
    [
        ("ＡＣＭＥ　Ｗｉｄｇｅｔｓ　Ｌｔｄ．", "ACME Widgets Ltd.", "acme widgets"),
        ("\u00b5Tech GmbH", "\u03bcTech GmbH", "mtech"),
        ("\u2126mega Ltd", "\u03a9mega Ltd", "omega"),
        ("Mu\u0308ller GmbH", "Müller GmbH", "muller"),
    ],
)
def test_fold_name_is_nfkc_normalised_first(name: str, equivalent: str, folded: str) -> None:
    """Issue 11, part 5: NFKC (UAX #15) before folding, so fullwidth and compatibility forms (the
    micro sign for the Greek mu, the ohm sign for the Greek omega) fold as what they stand for."""
    assert fold_name(name) == folded
    assert fold_name(name) == fold_name(equivalent)


def test_fold_text_keeps_legal_form_words() -> None:
    """Scope text is folded without dropping words such as "public" or "co"."""
    assert fold_text("Public Transport & Co-ordination") == "public transport and co ordination"


@pytest.mark.parametrize(
    ("claimed", "names", "outcome", "matched"),
    [
        ("MULLER", ["Müller GmbH"], Outcome.PASS, "Müller GmbH"),
        ("Acme Ltd", ["Acme Limited"], Outcome.PASS, "Acme Limited"),
        ("acme s.a.", ["ACME SA"], Outcome.PASS, "ACME SA"),
        ("Acme Inc", ["Acme, Inc."], Outcome.PASS, "Acme, Inc."),
        ("Acme", ["Acme LLC"], Outcome.PASS, "Acme LLC"),
        ("A.C.M.E. Steel-Works", ["ACME STEEL WORKS LTD"], Outcome.WARN, "ACME STEEL WORKS LTD"),
        ("Acme Steel-Works", ["ACME STEEL WORKS LTD"], Outcome.PASS, "ACME STEEL WORKS LTD"),
        ("Manufacturing Acme", ["Acme Manufacturing Ltd"], Outcome.PASS, "Acme Manufacturing Ltd"),
        (
            "Acme UK",
            ["Acme Manufacturing Ltd", "Acme (UK) Limited"],
            Outcome.PASS,
            "Acme (UK) Limited",
        ),
        (
            "Acme Manufacturng Ltd",
            ["Acme Manufacturing Limited"],
            Outcome.WARN,
            "Acme Manufacturing Limited",
        ),
        ("Manufacturng Acme", ["Acme Manufacturing Ltd"], Outcome.WARN, "Acme Manufacturing Ltd"),
        ("Globex Corporation", ["Acme Manufacturing Ltd"], Outcome.FAIL, None),
        ("Acme Foods", ["Acme Steel"], Outcome.FAIL, None),
        ("Acme", [], Outcome.FAIL, None),
        ("Acme", ["", "-", "Acme Ltd"], Outcome.PASS, "Acme Ltd"),
        ("Ltd.", ["Acme Ltd"], Outcome.FAIL, None),
        ("!!!", ["Acme Ltd"], Outcome.FAIL, None),
    ],
)
def test_match_organization_pass_warn_fail(
    claimed: str, names: list[str], outcome: Outcome, matched: str | None
) -> None:
    """DESIGN.md, Claims: exact folded match passes, near match warns, anything else fails."""
    match = match_organization(claimed, names)
    assert (match.outcome, match.matched_name) == (outcome, matched)


def test_match_organization_pass_scores_100_and_prefers_first_exact_name() -> None:
    """A pass is exact on folded names, so its score is 100 and the first exact name is reported."""
    match = match_organization("acme", ["Acme Ltd", "ACME Limited"])
    assert (match.outcome, match.score, match.matched_name) == (Outcome.PASS, 100.0, "Acme Ltd")


def test_near_match_threshold_is_inclusive() -> None:
    """A score equal to NEAR_MATCH_THRESHOLD is a near match (warn), just below is a fail."""
    # "acme tubes" vs "acme tubas": one substitution in 10 letters -> ratio 90.
    assert match_organization("Acme Tubas", ["Acme Tubes"]).score == 90.0
    # ratio 2*17/40 = 85.0 exactly: "abcdefghijklmnopqrst" vs "abcdefghijklmnopqXYZ".
    at_threshold = match_organization("abcdefghijklmnopqrst", ["abcdefghijklmnopqxyz"])
    assert at_threshold.score == NEAR_MATCH_THRESHOLD
    assert at_threshold.outcome is Outcome.WARN
    below = match_organization("abcdefghijklmnopqrst", ["abcdefghijklmnopwxyz"])
    assert below.score < NEAR_MATCH_THRESHOLD
    assert below.outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("query", "name", "found"),
    [
        ("acme", "Acme Manufacturing Ltd", True),
        ("ACME manufacturing", "Acme Manufacturing Ltd", True),
        ("acme manufacturng", "Acme Manufacturing Ltd", True),
        ("müller", "Muller GmbH", True),
        ("globex", "Acme Manufacturing Ltd", False),
        ("", "Acme Manufacturing Ltd", False),
    ],
)
def test_search_score_finds_partial_accented_and_misspelt_queries(
    query: str, name: str, found: bool
) -> None:
    """API.md: organisation search is accent- and case-insensitive and tolerant of typos."""
    assert (search_score(query, fold_name(name)) >= SEARCH_THRESHOLD) is found


@pytest.mark.parametrize(
    ("claimed", "scope", "covered"),
    [
        ("manufacturing of steel tubes", "Design and manufacture of steel tube and pipe", True),
        ("Steel tubes", "Design and manufacture of steel tube and pipe", True),
        ("design", "Design and manufacture of steel tube and pipe", True),
        ("Software development", "Design and manufacture of steel tube and pipe", False),
        ("steel tubes and aluminium", "Design and manufacture of steel tube and pipe", False),
        ("IT services", "Provision of IT services", True),
        ("IT", "Cleaning services", False),
        ("Fabricación de tubos", "fabricacion de tubos de acero", True),
        ("the and for of", "Cleaning services", True),
        ("", "Cleaning services", True),
        ("steel tubes for offshore oil and gas platforms", "steel tubes", False),
    ],
)
def test_scope_covers_significant_words_stems_and_near_verbatim(
    claimed: str, scope: str, covered: bool
) -> None:
    """DESIGN.md: scope_match warns when the activity is not evidently within the scope."""
    assert scope_covers(claimed, scope) is covered


def test_scope_covers_near_verbatim_claim_by_partial_ratio() -> None:
    """A claim that appears almost verbatim in the scope is covered despite a misspelt word."""
    assert scope_covers("desing and manufacture", "Design and manufacture of steel tube")
