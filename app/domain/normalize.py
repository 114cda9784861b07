"""Normalised keys for certificate numbers and standard codes (DESIGN.md, "Verification rules")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_IEC = re.compile(r"/IEC", re.IGNORECASE)
_CODE_NOISE = re.compile(r"[\s\-.]+")

# Standards whose certificate scopes are classified by IAF sector codes (IAF ID 1); every other
# standard skips `accreditation_sectors` (DESIGN.md).
SECTOR_CLASSIFIED_STANDARDS: frozenset[str] = frozenset(
    {"ISO9001", "ISO14001", "ISO45001", "OHSAS18001"}
)


def normalize_certificate_number(text: str) -> str:
    """Match key of a certificate number: NFKC, upper case, letters and digits only (DESIGN.md).

    Unicode normalisation form NFKC (UAX #15) comes first (issue 11, part 5): a number copied
    from a PDF in fullwidth forms ("ＦＳ　６１２３４５") or with decomposed accents ("O" and a
    combining diaeresis) gets the key of the same number typed in ASCII or precomposed, so a
    genuine certificate is found. migrations/versions/0005_nfkc_keys.py re-keyed the stored
    numbers with a frozen copy of this function; change both or neither.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    return "".join(char for char in folded if char.isalnum())


@lru_cache(maxsize=1024)
def standard_code_key(code: str) -> str:
    """Compare key of a standard code: no case, "/IEC", spaces, dashes or dots (DESIGN.md).

    Memoised: a pure function of a few dozen distinct codes, called for every accreditation
    each verification considers (a tenth of a batch's engine time before)."""
    return _CODE_NOISE.sub("", _IEC.sub("", code.strip())).upper()


def uses_iaf_sectors(code: str) -> bool:
    """Whether certificates to this standard are classified by IAF sector codes (IAF ID 1)."""
    return standard_code_key(code) in SECTOR_CLASSIFIED_STANDARDS
