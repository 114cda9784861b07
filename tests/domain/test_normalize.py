"""Normalised keys for certificate numbers and standard codes (DESIGN.md, "Verification rules")."""

from __future__ import annotations

import pytest

from app.domain.normalize import (
    SECTOR_CLASSIFIED_STANDARDS,
    normalize_certificate_number,
    standard_code_key,
    uses_iaf_sectors,
)


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("fs 612 345", "FS612345"),
        ("FS-612345", "FS612345"),
        ("FS612345", "FS612345"),
        ("  q.a/12-34 ", "QA1234"),
        ("ÖQS 12", "ÖQS12"),
        ("", ""),
        ("- / .", ""),
    ],
)
def test_certificate_number_key_keeps_only_upper_case_letters_and_digits(
    printed: str, key: str
) -> None:
    """DESIGN.md: "fs 612 345" = "FS-612345"; every non letter or digit is removed."""
    assert normalize_certificate_number(printed) == key


@pytest.mark.parametrize(
    ("printed", "ascii_or_composed", "key"),
    [
        ("ＦＳ　６１２３４５", "FS 612345", "FS612345"),
        ("ｆｓ－６１２３４５", "fs-612345", "FS612345"),
        ("O\u0308QS 12", "ÖQS 12", "ÖQS12"),
        ("Ⅸ-２０２４", "IX-2024", "IX2024"),
        ("QMS ①②", "QMS 12", "QMS12"),
    ],
)
def test_certificate_number_key_is_nfkc_normalised_first(
    printed: str, ascii_or_composed: str, key: str
) -> None:
    """Issue 11, part 5: NFKC (UAX #15) before folding, so a number pasted from a PDF in
    fullwidth or compatibility forms, or with decomposed accents, is the same key."""
    assert normalize_certificate_number(printed) == key
    assert normalize_certificate_number(printed) == normalize_certificate_number(ascii_or_composed)


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("ISO/IEC 27001", "ISO27001"),
        ("iso 27001", "ISO27001"),
        ("ISO 27001", "ISO27001"),
        ("iso/iec 27001", "ISO27001"),
        ("ISO/Iec27001", "ISO27001"),
        ("OHSAS 18001", "OHSAS18001"),
        ("ISO 9001", "ISO9001"),
        (" ISO  9001 ", "ISO9001"),
        ("ISO/IEC 17021-1", "ISO170211"),
        ("IATF 16949", "IATF16949"),
        ("ISO 14001.", "ISO14001"),
    ],
)
def test_standard_code_key_ignores_case_spaces_dashes_dots_and_iec(code: str, key: str) -> None:
    """DESIGN.md, Claims: standard codes compare without case, spaces or "/IEC"."""
    assert standard_code_key(code) == key


@pytest.mark.parametrize(
    ("code", "uses"),
    [
        ("ISO 9001", True),
        ("iso 14001", True),
        ("ISO 45001", True),
        ("OHSAS 18001", True),
        ("ISO/IEC 27001", False),
        ("ISO 50001", False),
        ("ISO 22000", False),
    ],
)
def test_only_quality_environment_and_safety_standards_use_iaf_sectors(
    code: str, uses: bool
) -> None:
    """DESIGN.md: sectors are checked for ISO 9001, ISO 14001, ISO 45001 and OHSAS 18001 only."""
    assert uses_iaf_sectors(code) is uses


def test_sector_classified_standards_are_code_keys() -> None:
    """The set holds compare keys, so lookups go through standard_code_key."""
    assert {standard_code_key(key) for key in SECTOR_CLASSIFIED_STANDARDS} == (
        SECTOR_CLASSIFIED_STANDARDS
    )
