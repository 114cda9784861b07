"""Organisation-name folding and matching, and scope coverage (DESIGN.md, "Claims")."""

from __future__ import annotations

import pytest

from app.domain import legal_forms
from app.domain.facts import Outcome
from app.domain.names import (
    LEADING_LEGAL_FORMS,
    LEGAL_FORMS,
    NEAR_MATCH_MIN_LENGTH,
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
    ("name", "folded"),
    [
        # Forms at the end come off repeatedly, longest first.
        ("Acme Trading Co., Ltd.", "acme trading"),
        ("Polfarm Sp. z o.o.", "polfarm"),
        ("Budimex Sp. z o.o. Sp.k.", "budimex"),
        ("Henkel AG & Co. KGaA", "henkel"),
        ("CEMEX, S.A.B. de C.V.", "cemex"),
        ("Acme Trading Limited Liability Company", "acme trading"),
        # Only at the edges: a form at the start or in the middle is part of the name.
        ("AG Barr plc", "ag barr"),
        ("AB InBev SA/NV", "ab inbev"),
        ("Acme Inc Europe", "acme inc europe"),
        ("Grand Hotel & Spa", "grand hotel and spa"),
        ("Acme UK Ltd", "acme uk"),
        # A leading "The", unless nothing else is left.
        ("The Acme Company Ltd", "acme"),
        ("The Co", "the co"),
        ("The", "the"),
        ("Theta Ltd", "theta"),
        # Forms that start names in their jurisdiction, with the forms that go with them.
        ("PT Bank Central Asia Tbk", "bank central asia"),
        ("PT Pertamina (Persero)", "pertamina"),
        ("CV Maju Jaya", "maju jaya"),
        ("CV-Library Ltd", "cv library"),
        ("Kabushiki Kaisha Toshiba", "toshiba"),
        ("PT", "pt"),
        # Chinese, Japanese and Korean forms, written without spaces.
        ("华为技术有限公司", fold_text("华为技术")),
        ("株式会社日立製作所", fold_text("日立製作所")),
        ("トヨタ自動車株式会社", fold_text("トヨタ自動車")),
        ("㈜현대자동차", fold_text("현대자동차")),
        ("株式会社", fold_text("株式会社")),
    ],
)
def test_fold_name_removes_legal_forms_and_the_only_at_the_edges(name: str, folded: str) -> None:
    """Issue 13, part 3: legal forms and a leading "The" come off only at the edges of a name."""
    assert fold_name(name) == folded


def test_legal_forms_are_cleanco_terms_folded_plus_the_supplement() -> None:
    """The trailing forms are cleanco 2.3's terms (Wikipedia's list) folded with `fold_text`, its
    mojibake repaired, "uk" left out, plus the supplement; leading forms are a short list."""
    forms = set(LEGAL_FORMS)
    assert {"sp z o o", "s r o", "kft", "kgaa", "a s", "ltd", "gmbh and co kg"} <= forms
    assert "ver obch spol" in forms
    assert "vea obch spol" not in forms
    assert "uk" not in forms
    assert {fold_text(form.written) for form in legal_forms.TRAILING_SUPPLEMENT} <= forms
    assert set(LEADING_LEGAL_FORMS) == {"pt", "p t", "cv", "kabushiki kaisha", "kabushiki gaisha"}
    assert legal_forms.repaired("ve\u00c5\u0099. obch. spol.") == "ve\u0159. obch. spol."
    assert legal_forms.repaired("spółka z o.o.") == "spółka z o.o."


def test_legal_forms_cover_the_jurisdictions_design_md_names() -> None:
    """DESIGN.md: the list covers at least the EU, UK, US, CH, PL, CZ, HU, TR, BR, CN, JP, IN and
    ID, spelled-out forms included."""
    examples = {
        "EU": "Acme SE",
        "GB": "Acme Public Limited Company",
        "US": "Acme Limited Liability Company",
        "CH": "Acme Sagl",
        "PL": "Acme Spółka z ograniczoną odpowiedzialnością",
        "CZ": "Acme společnost s ručením omezeným",
        "HU": "Acme Korlátolt Felelősségű Társaság",
        "TR": "Acme Anonim Şirketi",
        "BR": "Acme Sociedade Limitada",
        "CN": "Acme Co., Ltd.",
        "JP": "Acme Kabushiki Kaisha",
        "IN": "Acme Private Limited",
        "ID": "PT Acme Tbk",
    }
    assert {country: fold_name(name) for country, name in examples.items()} == dict.fromkeys(
        examples, "acme"
    )


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
        # Dotted initials are punctuation: read joined (review of issue 13).
        ("A.C.M.E. Steel-Works", ["ACME STEEL WORKS LTD"], Outcome.PASS, "ACME STEEL WORKS LTD"),
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


@pytest.mark.parametrize(
    ("claimed", "certified", "outcome"),
    [
        ("Tecso", "Tesco PLC", Outcome.WARN),  # adjacent letters swapped
        ("Tesko", "Tesco PLC", Outcome.WARN),  # one substitution
        ("Tesc", "Tesco PLC", Outcome.WARN),  # one deletion
        ("Acme", "Acne Ltd", Outcome.WARN),  # four letters: the shortest near match
        ("ABB", "ABC Ltd", Outcome.FAIL),  # three letters: an acronym
        ("BAB", "ABB Ltd", Outcome.FAIL),
        ("Tecos", "Tesco PLC", Outcome.FAIL),  # two edits
    ],
)
def test_one_edit_in_a_short_name_is_a_near_match(
    claimed: str, certified: str, outcome: Outcome
) -> None:
    """DESIGN.md: one typo in a short name is a near match (`warn`), from NEAR_MATCH_MIN_LENGTH
    letters; the fuzzy score of such a match stays what it is (below the threshold)."""
    match = match_organization(claimed, [certified])
    assert match.outcome is outcome
    assert NEAR_MATCH_MIN_LENGTH == 4
    if outcome is Outcome.WARN:
        assert match.matched_name == certified


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
