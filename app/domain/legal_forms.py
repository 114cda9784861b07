"""Legal forms of organisations as they are written in names (DESIGN.md, "Verification rules").

Source: the terms of the `cleanco` package, version 2.3 (`cleanco.termdata.terms_by_country` and
`cleanco.termdata.terms_by_type`), which its authors compiled from Wikipedia's "List of legal
entity types by country" (https://en.wikipedia.org/wiki/List_of_legal_entity_types_by_country).
cleanco lists abbreviations ("Sp. z o.o.", "Kft.", "KGaA") but hardly any spelled-out forms, and
misses a few abbreviations; TRAILING_SUPPLEMENT adds those that DESIGN.md requires (the EU, UK,
US, CH, PL, CZ, HU, TR, BR, CN, JP, IN and ID at least), each with its jurisdiction, taken from
the same Wikipedia list. This module only holds the terms as written; app/domain/names.py folds
them (NFKC, ASCII transliteration, lower case, no punctuation) once at import.

Where a form stands decides whether it is one:

- Every term here may END a name ("Polfarm Sp. z o.o.", "Acme Trading Co., Ltd."), and only
  there: "AG" ends "Siemens AG" but starts "AG Barr plc", whose name it is part of.
- LEADING_FORMS is the short list of forms that START names in their jurisdiction. cleanco's
  list is never used at the start of a name: its two-letter terms ("AG", "AB", "AS", "SA")
  begin many names ("AB InBev", "AG Barr").
- NATIVE_FORMS are Chinese, Japanese and Korean forms, written without a space before or after
  them, so they are removed from the text before it is split into words.

cleanco 2.3 has one entry that is mojibake: the Czech "veř. obch. spol." (veřejná obchodní
společnost, a general partnership) is stored as "veÅ\\x99. obch. spol.", UTF-8 read as Latin-1.
`repaired` decodes such an entry back; the spelled-out form is in the supplement as well.
"""

from __future__ import annotations

from typing import NamedTuple

from cleanco.termdata import (  # type: ignore[import-untyped]  # cleanco ships no type hints
    terms_by_country,
    terms_by_type,
)


class LegalForm(NamedTuple):
    """A legal form as written, with the jurisdiction (ISO 3166-1 alpha-2, or "EU") using it."""

    jurisdiction: str
    written: str


def repaired(term: str) -> str:
    """A cleanco term with UTF-8-read-as-Latin-1 mojibake undone ("veÅ\\x99." -> "veř.").

    A term that is not such mojibake (ASCII, or not encodable as Latin-1, or not valid UTF-8 once
    encoded) is returned as it is.
    """
    try:
        return term.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return term


def _cleanco_terms() -> tuple[str, ...]:
    """Every distinct cleanco 2.3 term, by country and by type, mojibake repaired."""
    lists: list[list[str]] = [*terms_by_country.values(), *terms_by_type.values()]
    return tuple(sorted({repaired(term).strip() for terms in lists for term in terms}))


CLEANCO_TERMS: tuple[str, ...] = _cleanco_terms()
"""The terms of cleanco 2.3 (Wikipedia's "List of legal entity types by country"), repaired."""

CLEANCO_EXCLUDED: frozenset[str] = frozenset({"uk"})
"""Folded cleanco terms that are not treated as legal forms.

"UK" is listed for Uzbekistan, but at the end of a name written in Latin letters it is the
country ("Acme UK Ltd" is the British company, not "Acme").
"""

TRAILING_SUPPLEMENT: tuple[LegalForm, ...] = (
    # European Union: Council Regulations (EC) 2157/2001, 1435/2003, (EEC) 2137/85.
    LegalForm("EU", "SE"),
    LegalForm("EU", "Societas Europaea"),
    LegalForm("EU", "SCE"),
    LegalForm("EU", "EEIG"),
    LegalForm("EU", "EWIV"),
    # United Kingdom (Welsh "Cyf." is the Companies Act's equivalent of "Ltd").
    LegalForm("GB", "Public Limited Company"),
    LegalForm("GB", "Private Limited Company"),
    LegalForm("GB", "Limited Liability Partnership"),
    LegalForm("GB", "Limited by Guarantee"),
    LegalForm("GB", "Community Interest Company"),
    LegalForm("GB", "Cyf"),
    LegalForm("GB", "Cyfyngedig"),
    # Ireland.
    LegalForm("IE", "DAC"),
    LegalForm("IE", "Designated Activity Company"),
    LegalForm("IE", "CLG"),
    LegalForm("IE", "Teoranta"),
    # United States.
    LegalForm("US", "Limited Liability Company"),
    LegalForm("US", "Limited Partnership"),
    # Canada (French "Limitée").
    LegalForm("CA", "Ltée"),
    LegalForm("CA", "Limitée"),
    LegalForm("CA", "ULC"),
    # Germany, Austria, Switzerland.
    LegalForm("DE", "Gesellschaft mit beschränkter Haftung"),
    LegalForm("DE", "mbH"),
    LegalForm("DE", "Aktiengesellschaft"),
    LegalForm("DE", "Kommanditgesellschaft"),
    LegalForm("DE", "Kommanditgesellschaft auf Aktien"),
    LegalForm("DE", "UG (haftungsbeschränkt)"),
    LegalForm("DE", "UG"),
    LegalForm("DE", "e.K."),
    LegalForm("DE", "eG"),
    LegalForm("AT", "GesmbH"),
    LegalForm("AT", "Ges.m.b.H."),
    LegalForm("AT", "Ges.mbH"),
    LegalForm("CH", "Société anonyme"),
    LegalForm("CH", "Società anonima"),
    # France, Belgium, Luxembourg ("Société anonyme" above).
    LegalForm("FR", "Société par actions simplifiée"),
    LegalForm("FR", "Société à responsabilité limitée"),
    # Netherlands, Belgium.
    LegalForm("NL", "BV"),
    LegalForm("NL", "Besloten Vennootschap"),
    LegalForm("NL", "Naamloze Vennootschap"),
    # Italy.
    LegalForm("IT", "SpA"),
    LegalForm("IT", "Srls"),
    LegalForm("IT", "Società per azioni"),
    LegalForm("IT", "Società a responsabilità limitata"),
    # Spain ("Sociedad Anónima Unipersonal", "Sociedad Limitada Unipersonal"), Latin America.
    LegalForm("ES", "Sociedad Anónima"),
    LegalForm("ES", "Sociedad Limitada"),
    LegalForm("ES", "Sociedad de Responsabilidad Limitada"),
    LegalForm("ES", "SL"),
    LegalForm("ES", "S.A.U."),
    LegalForm("ES", "SAU"),
    LegalForm("ES", "S.L.U."),
    LegalForm("ES", "SLU"),
    LegalForm("ES", "y Cía."),
    # Portugal, Brazil (ME and EPP follow "Ltda." in micro and small enterprises' names).
    LegalForm("PT", "Unipessoal"),
    LegalForm("PT", "e Cia."),
    LegalForm("BR", "Sociedade Anônima"),
    LegalForm("BR", "Sociedade Limitada"),
    LegalForm("BR", "Limitada"),
    LegalForm("BR", "EIRELI"),
    LegalForm("BR", "& Cia."),
    LegalForm("BR", "Ltda. ME"),
    LegalForm("BR", "Ltda. EPP"),
    # Mexico: "de C.V." (de capital variable) follows S.A., S.A.B., S.A.P.I., S. de R.L.
    LegalForm("MX", "de C.V."),
    LegalForm("MX", "de CV"),
    LegalForm("MX", "SAB"),
    LegalForm("MX", "SAPI"),
    LegalForm("MX", "S. de RL"),
    # Poland.
    LegalForm("PL", "Spółka z ograniczoną odpowiedzialnością"),
    LegalForm("PL", "Spółka akcyjna"),
    LegalForm("PL", "Spółka jawna"),
    LegalForm("PL", "Spółka komandytowa"),
    LegalForm("PL", "Sp. z oo"),
    LegalForm("PL", "Sp. zoo"),
    # Czechia, Slovakia (cleanco's "veř. obch. spol." is repaired, see the module docstring).
    LegalForm("CZ", "Společnost s ručením omezeným"),
    LegalForm("CZ", "Akciová společnost"),
    LegalForm("CZ", "Veřejná obchodní společnost"),
    LegalForm("CZ", "Komanditní společnost"),
    LegalForm("SK", "Spoločnosť s ručením obmedzeným"),
    LegalForm("SK", "Akciová spoločnosť"),
    # Hungary.
    LegalForm("HU", "Korlátolt felelősségű társaság"),
    LegalForm("HU", "Zártkörűen működő részvénytársaság"),
    LegalForm("HU", "Nyilvánosan működő részvénytársaság"),
    LegalForm("HU", "Részvénytársaság"),
    LegalForm("HU", "Betéti társaság"),
    # Turkey ("A.Ş." folds as cleanco's "a.s."; "Ltd. Şti." is Limited Şirketi).
    LegalForm("TR", "Anonim Şirketi"),
    LegalForm("TR", "Anonim Şirket"),
    LegalForm("TR", "Limited Şirketi"),
    LegalForm("TR", "Ltd. Şti."),
    LegalForm("TR", "Şti."),
    # Nordic countries ("(publ)" marks a Swedish public company; "Abp" a Finland-Swedish one).
    LegalForm("SE", "Aktiebolag"),
    LegalForm("SE", "publ"),
    LegalForm("NO", "Aksjeselskap"),
    LegalForm("NO", "Allmennaksjeselskap"),
    LegalForm("DK", "Aktieselskab"),
    LegalForm("DK", "Anpartsselskab"),
    LegalForm("FI", "Osakeyhtiö"),
    LegalForm("FI", "Julkinen osakeyhtiö"),
    LegalForm("FI", "Abp"),
    # Japan (romanised; the Japanese script forms are NATIVE_FORMS).
    LegalForm("JP", "Kabushiki Kaisha"),
    LegalForm("JP", "Kabushiki Gaisha"),
    LegalForm("JP", "Yūgen Kaisha"),
    LegalForm("JP", "Yūgen Gaisha"),
    LegalForm("JP", "Gōdō Kaisha"),
    LegalForm("JP", "Gōdō Gaisha"),
    LegalForm("JP", "KK"),
    # India (Companies Act 2013: "(OPC) Private Limited" for a one person company).
    LegalForm("IN", "Pvt"),
    LegalForm("IN", "OPC"),
    # Indonesia ("Tbk" for Terbuka, a listed company; "(Persero)" for a state-owned one).
    LegalForm("ID", "Tbk"),
    LegalForm("ID", "Persero"),
    # Malaysia.
    LegalForm("MY", "Berhad"),
    LegalForm("MY", "Sendirian Berhad"),
    # Australia, South Africa.
    LegalForm("AU", "Pty"),
    LegalForm("AU", "Proprietary Limited"),
    LegalForm("ZA", "SOC Ltd"),
    LegalForm("ZA", "NPC"),
)
"""Forms that end names and that cleanco 2.3 lacks (jurisdiction, as written).

Forms built of others need no entry: the end of a name is stripped repeatedly, so "Co., Ltd."
(China, Korea, Japan in English), "GmbH & Co. KG", "Oy Ab" and "S.A. de C.V." come apart into
forms that are listed.
"""


class LeadingForm(NamedTuple):
    """A form that starts names in its jurisdiction, and the forms that may end such a name."""

    jurisdiction: str
    written: str
    companions: tuple[str, ...]


LEADING_FORMS: tuple[LeadingForm, ...] = (
    # Indonesia: "PT Bank Central Asia Tbk", "PT Pertamina (Persero)", "CV Maju Jaya".
    LeadingForm("ID", "PT", ("Tbk", "Persero")),
    LeadingForm("ID", "P.T.", ("Tbk", "Persero")),
    LeadingForm("ID", "CV", ()),
    # Japan: "Kabushiki Kaisha Toshiba" (the form may precede the name, mae-kabu).
    LeadingForm("JP", "Kabushiki Kaisha", ()),
    LeadingForm("JP", "Kabushiki Gaisha", ()),
)
"""Forms that START names in their jurisdiction (Wikipedia's list: Indonesia, Japan).

Kept minimal, since a form at the start of a name is also a plausible word ("PT" for physical
therapy, "CV" for curriculum vitae). A leading form is dropped only when every form dropped
from the end of the name is one of its `companions`: a name with a form of another jurisdiction
at its end ("CV-Library Ltd", a British company) is not Indonesian, and its first word is part
of the name.
"""


class NativeForm(NamedTuple):
    """A legal form in Chinese, Japanese or Korean script, and where in a name it may stand."""

    jurisdiction: str
    written: str
    leading: bool  # it may also start a name (it may always end one)


NATIVE_FORMS: tuple[NativeForm, ...] = (
    # China (simplified), Taiwan and Hong Kong (traditional).
    NativeForm("CN", "股份有限公司", leading=False),
    NativeForm("CN", "有限责任公司", leading=False),
    NativeForm("TW", "有限責任公司", leading=False),
    NativeForm("CN", "有限公司", leading=False),
    # Japan: kabushiki kaisha, yūgen kaisha, gōdō kaisha, and "(株)" (NFKC of "㈱").
    NativeForm("JP", "株式会社", leading=True),
    NativeForm("JP", "有限会社", leading=True),
    NativeForm("JP", "合同会社", leading=True),
    NativeForm("JP", "(株)", leading=True),
    # Korea: jusik hoesa, yuhan hoesa, and "(주)" (NFKC of "㈜").
    NativeForm("KR", "주식회사", leading=True),
    NativeForm("KR", "유한회사", leading=True),
    NativeForm("KR", "(주)", leading=True),
)
"""CJK legal forms, written without spaces around them ("华为技术有限公司", "株式会社日立製作所"),
so they are removed from the NFKC text, at its edges, before it is transliterated and split."""
