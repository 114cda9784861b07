"""A deterministic synthetic demo registry on top of the reference data, with a fixed showcase.

Every certification body, organisation and certificate here is invented (websites use the
reserved `.example` domain); the accreditation bodies and their MLA recognitions are the real
shipped reference data. `SHOWCASE` lists fixed certificate numbers that, verified as of the
`today` the registry was built for (any date from 2025-11-01 on), give one verdict each.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.demo.constants import ACTIVE, BATCH_SIZE, SUSPENDED, WITHDRAWN
from app.demo.data import (
    _ACTIVITIES,
    _CERT_SUSPENSIONS,
    _CERT_WITHDRAWALS,
    _CERTIFICATION_BODIES,
    _COUNTRIES,
    _EDITIONS,
    _EN_NAMES,
    _FAMILY_LETTERS,
    _FAMILY_NUMBERS,
    _FEATURED_NAMES,
    _ISMS_ACTIVITIES,
    _LOCAL_NAMES,
    _MEDICAL_ACTIVITIES,
    _MEDICAL_NAMES,
    _PLAUSIBLE_SECTORS,
    _SECTOR_WEIGHTS,
    _SHOWCASE_EDITIONS,
    _SITE_NAMES,
    _STREETS,
    _SUSPENSION_REASON,
    _WITHDRAWAL_REASON,
    _AccreditationPlan,
    _CbPlan,
    _Country,
    _EditionPlan,
    _words,
)
from app.demo.showcase import SHOWCASE, SHOWCASE_CERTIFICATE_COUNT
from app.domain.names import fold_name
from app.domain.normalize import normalize_certificate_number, standard_code_key, uses_iaf_sectors
from app.models import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    Certificate,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    Organization,
    Standard,
)
from app.repositories import demo as repo
from app.repositories.certificate_facts import rebuild_certificate_facts
from app.repositories.search_index import index_new_organizations
from app.services.registry.seed import seed_reference_data

# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReport:
    """What the demo built; `statuses` are as of `today`, `expired` counts printed expiry."""

    certification_bodies: int
    accreditations: int
    organizations: int
    certificates: int
    showcase_certificates: int
    sites: int
    status_events: int
    statuses: Mapping[str, int] = field(default_factory=dict)
    expired: int = 0
    confidential: int = 0

    def __str__(self) -> str:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        return (
            f"{self.certification_bodies} certification bodies, {self.accreditations} "
            f"accreditations, {self.organizations} organisations, {self.certificates} "
            f"certificates ({self.showcase_certificates} showcase; {statuses}; "
            f"{self.expired} expired; {self.confidential} confidential), {self.sites} sites"
        )


# --- helpers ------------------------------------------------------------------------------------


def registry_is_empty(session: Session) -> bool:
    """True when the registry holds no certificate, so the demo may be loaded."""
    return not repo.registry_has_certificates(session)


def _add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _cycle_expiry(issue: date) -> date:
    """Expiry of a three-year certification cycle (ISO/IEC 17021-1 §9.1.3)."""
    return _add_years(issue, 3) - timedelta(days=1)


def _days(count: int) -> timedelta:
    """A number of days as a timedelta."""
    return timedelta(days=count)


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    """Slices of BATCH_SIZE rows."""
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


@dataclass
class _Record:
    """One accreditation record of a demo CB, as created."""

    sectors: tuple[int, ...]
    valid_from: date
    valid_until: date | None
    last_issue: date | None


@dataclass
class _Org:
    """An organisation row being built."""

    id: uuid.UUID
    cb: str
    name: str
    country: str
    sector: int
    aliases: list[str]
    codes: set[str] = field(default_factory=set)


class _Builder:
    """Accumulates rows for one demo build; every random draw comes from one seeded generator."""

    def __init__(self, session: Session, today: date, seed: int) -> None:
        self.session = session
        self.today = today
        self.rng = random.Random(seed)
        self.standards: dict[tuple[str, str], Standard] = {}
        self.cb_ids: dict[str, uuid.UUID] = {}
        self.records: dict[tuple[str, str], list[_Record]] = {}
        self.orgs: list[_Org] = []
        self.orgs_by_cb: dict[str, list[_Org]] = {}
        self.name_keys: set[str] = set()
        self.featured_left = dict(_FEATURED_NAMES)
        self.certificates: list[dict[str, Any]] = []
        self.sites: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.number_keys: set[tuple[str, str]] = set()
        self.global_keys: set[str] = {
            normalize_certificate_number(case.certificate_number) for case in SHOWCASE.values()
        }
        self.sequences: dict[str, int] = {}
        self.statuses: Counter[str] = Counter()
        self.accreditation_count = 0

    def new_id(self) -> uuid.UUID:
        """A reproducible random (version 4) id."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # --- reference data, CBs and accreditations ---

    def load_reference(self) -> dict[str, AccreditationBody]:
        """Standards and ABs the demo needs; seeds the reference data when they are missing."""
        wanted_standards = {(standard_code_key(p.code), p.edition) for p in _EDITIONS}
        wanted_standards |= {(standard_code_key(c), e) for c, e in _SHOWCASE_EDITIONS}
        wanted_abs = {plan.accreditation_body.upper() for plan in _CERTIFICATION_BODIES}

        def lookup() -> tuple[dict[tuple[str, str], Standard], dict[str, AccreditationBody]]:
            standards = repo.standards_by_edition(self.session)
            bodies = repo.accreditation_bodies_by_acronym_key(self.session, wanted_abs)
            return standards, bodies

        standards, bodies = lookup()
        if not wanted_standards <= standards.keys() or not wanted_abs <= bodies.keys():
            seed_reference_data(self.session)
            standards, bodies = lookup()
        missing = sorted(
            [f"{code}:{edition}" for code, edition in wanted_standards - standards.keys()]
            + sorted(wanted_abs - bodies.keys())
        )
        if missing:
            raise ValueError(f"reference data lacks what the demo needs: {', '.join(missing)}")
        self.standards = standards
        return bodies

    def create_bodies(self, bodies: Mapping[str, AccreditationBody]) -> int:
        """The fictional CBs and their accreditations by real reference ABs."""
        acronyms = [plan.acronym.upper() for plan in _CERTIFICATION_BODIES]
        taken = repo.certification_body_acronyms_taken(self.session, acronyms)
        if taken:
            raise ValueError(
                f"certification bodies {', '.join(sorted(str(a) for a in taken))} already exist; "
                "the demo needs an empty registry"
            )
        bodies_created: list[CertificationBody] = []
        accreditations: list[Accreditation] = []
        for plan in _CERTIFICATION_BODIES:
            cb = CertificationBody(
                id=self.new_id(),
                name=plan.name,
                name_key=fold_name(plan.name),
                acronym=plan.acronym,
                acronym_key=plan.acronym.upper(),
                country=plan.country,
                website=plan.website,
            )
            bodies_created.append(cb)
            self.cb_ids[plan.acronym] = cb.id
            ab = bodies[plan.accreditation_body.upper()]
            for acc in plan.accreditations:
                accreditations.extend(self._accreditations(plan, acc, cb.id, ab))
        # No relationship links an accreditation to its CB, so the CBs are flushed first.
        self.session.add_all(bodies_created)
        self.session.flush()
        self.session.add_all(accreditations)
        self.session.flush()
        return len(bodies_created)

    def _accreditations(
        self, plan: _CbPlan, acc: _AccreditationPlan, cb_id: uuid.UUID, ab: AccreditationBody
    ) -> list[Accreditation]:
        """One accreditation record, or two when it was renewed; with dated status history."""
        today = self.today
        key = standard_code_key(acc.standard)
        valid_until = today + _days(plan.valid_until_days)
        spans: list[tuple[date, date | None, tuple[int, ...]]] = []
        if acc.renewed_days_ago is not None:
            renewed = today - _days(acc.renewed_days_ago)
            spans.append((acc.valid_from, renewed - _days(1), acc.previous_sectors))
            spans.append((renewed, valid_until, acc.sectors))
        else:
            spans.append((acc.valid_from, valid_until, acc.sectors))
        last_issue: date | None = None
        for days_ago in (acc.suspended_days_ago, acc.withdrawn_days_ago):
            if days_ago is not None:
                stop = today - _days(days_ago + 1)
                last_issue = stop if last_issue is None else min(last_issue, stop)
        created = []
        for valid_from, until, sectors in spans:
            events = [AccreditationStatusEvent(status=ACTIVE, effective_from=valid_from)]
            if until is not None and until >= today:
                if acc.suspended_days_ago is not None:
                    events.append(
                        AccreditationStatusEvent(
                            status=SUSPENDED,
                            effective_from=today - _days(acc.suspended_days_ago),
                            reason=_SUSPENSION_REASON,
                        )
                    )
                if acc.withdrawn_days_ago is not None:
                    events.append(
                        AccreditationStatusEvent(
                            status=WITHDRAWN,
                            effective_from=today - _days(acc.withdrawn_days_ago),
                            reason=_WITHDRAWAL_REASON,
                        )
                    )
            created.append(
                Accreditation(
                    id=self.new_id(),
                    certification_body_id=cb_id,
                    accreditation_body_id=ab.id,
                    accreditation_number=plan.accreditation_number,
                    standard_code=acc.standard,
                    standard_code_key=key,
                    sectors=sorted(sectors),
                    valid_from=valid_from,
                    valid_until=until,
                    status_events=events,
                )
            )
            self.records.setdefault((plan.acronym, key), []).append(
                _Record(sectors, valid_from, until, last_issue)
            )
        self.accreditation_count += len(created)
        return created

    def record_at(self, cb: str, key: str, day: date) -> _Record | None:
        """The CB's accreditation record for a standard whose validity covers `day`."""
        for record in reversed(self.records.get((cb, key), [])):
            if record.valid_from <= day and (
                record.valid_until is None or day <= record.valid_until
            ):
                return record
        return None

    # --- organisations ---

    def _fill(self, template: str, country: _Country) -> str:
        """A name template with a place and a surname of the country."""
        return template.format(
            place=self.rng.choice(country.places), surname=self.rng.choice(country.surnames)
        )

    def _invent_name(self, country_code: str, sector: int, medical: bool) -> str:
        """An organisation name, unique in the registry once folded."""
        country = _COUNTRIES[country_code]
        featured = self.featured_left.get((country_code, sector))
        if featured is not None and not medical:
            del self.featured_left[(country_code, sector)]
            if fold_name(featured) not in self.name_keys:
                return featured
        local = _LOCAL_NAMES.get(country.lang, {}).get(sector)
        english = _words(_MEDICAL_NAMES if medical else _EN_NAMES.get(sector, _EN_NAMES[35]))
        templates = _words(local) + english if local and not medical else english
        for attempt in range(40):
            base = self._fill(self.rng.choice(templates), country)
            if attempt >= 20:
                base = f"{base} {self.rng.choice(country.places)}"
            name = f"{base} {self.rng.choice(country.legal_forms)}"
            if fold_name(name) not in self.name_keys:
                return name
        return f"{base} {len(self.name_keys)} {country.legal_forms[0]}"

    def _aliases(self, name: str, country_code: str, sector: int, always: bool) -> list[str]:
        """Former, transliterated or short names for about one organisation in eight."""
        if not always and self.rng.random() >= 0.125:
            return []
        country = _COUNTRIES[country_code]
        transliterated = name
        for accented, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ü", "Ue")):
            transliterated = transliterated.replace(accented, plain)
        if transliterated != name:
            return [transliterated]
        base = name
        for legal_form in country.legal_forms:
            base = base.removesuffix(f" {legal_form}")
        words = [word for word in base.split() if word[:1].isupper() and len(word) > 2]
        if len(words) >= 2 and self.rng.random() < 0.5:
            return ["".join(word[0] for word in words[:3]) + " " + country.legal_forms[0]]
        templates = _words(_EN_NAMES.get(sector, _EN_NAMES[35]))
        return [f"{self._fill(self.rng.choice(templates), country)} {country.legal_forms[0]}"]

    def add_org(
        self,
        cb: str,
        country_code: str,
        sector: int,
        *,
        name: str | None = None,
        aliases: Sequence[str] | None = None,
        medical: bool = False,
    ) -> _Org:
        """A new organisation owned by the CB."""
        chosen = name or self._invent_name(country_code, sector, medical)
        org = _Org(
            id=self.new_id(),
            cb=cb,
            name=chosen,
            country=country_code,
            sector=sector,
            aliases=list(aliases)
            if aliases is not None
            else self._aliases(chosen, country_code, sector, chosen in _FEATURED_NAMES.values()),
        )
        self.name_keys.add(fold_name(chosen))
        self.orgs.append(org)
        self.orgs_by_cb.setdefault(cb, []).append(org)
        return org

    # --- certificates ---

    def _address(self, country_code: str) -> tuple[str, str]:
        """A city and a plausible street address in the country."""
        country = _COUNTRIES[country_code]
        rng = self.rng
        city = rng.choice(country.cities or country.places)
        postcode = "".join(
            str(rng.randint(0, 9))
            if char == "#"
            else chr(rng.randint(65, 90))
            if char == "A"
            else char
            for char in country.postcode
        )
        street = rng.choice(_STREETS[country.lang])
        number = rng.randint(1, 240)
        if country.lang == "en":
            return city, f"{number} {street}, {city} {postcode}"
        if country.lang == "ja":
            return city, f"{number}-{rng.randint(1, 30)} {street}, {city} {postcode}"
        return city, f"{street} {number}, {postcode} {city}"

    def _site_rows(self, cert_id: uuid.UUID, org: _Org, markets: Sequence[str], isms: bool) -> None:
        """One to three sites: the head office in the organisation's country, then others."""
        count = self.rng.choices((1, 2, 3), weights=(60, 28, 12))[0]
        for position in range(count):
            country = org.country
            if position and self.rng.random() < 0.25:
                country = self.rng.choice(markets)
            city, address = self._address(country)
            if position == 0:
                site_name = "Head office"
            elif isms:
                site_name = self.rng.choice(("Data centre", "Operations centre", "Branch office"))
            else:
                site_name = f"{self.rng.choice(_SITE_NAMES)} {city}"
            self.sites.append(
                {
                    "id": self.new_id(),
                    "certificate_id": cert_id,
                    "position": position,
                    "name": site_name,
                    "address": address,
                    "country": country,
                }
            )

    def _number(self, cb: str, family: str, issue: date, country: str, cycle: int) -> str:
        """A certificate number in the CB's own style, unique per CB and in the registry."""
        start = {"NBC": 510000, "MAI": 41000, "HCC": 1200, "TCS": 1001}.get(cb, 10001)
        while True:
            seq = self.sequences.get(cb, start) + self.rng.randint(1, 40)
            self.sequences[cb] = seq
            letters = _FAMILY_LETTERS.get(family, "X")
            yy = f"{issue.year % 100:02d}"
            number = {
                "NBC": f"{letters} {seq}",
                "CERTA": f"CN-{issue.year}-{seq:05d}",
                "QAS": f"{country}-{letters}-{seq}/{yy}",
                "MAI": f"MAI-{seq:07d}",
                "LQC": f"LQC/{letters}/{issue.year}/{seq}",
                "SAJ": f"JP{yy}/{seq:06d}",
                "HCC": f"{seq:05d}{letters[0]}{yy}{(seq * 7919) % 100000:05d}R{cycle}M",
                "KCS": f"KCS {seq:05d}",
                "RWZ": f"12 {_FAMILY_NUMBERS.get(family, '100')} {seq} RWZ",
                "ADC": f"ADC-{seq}-{yy}",
                "TCS": f"TCS/{seq}/{yy}",
                "NVC": f"NVC {yy}{seq:05d}",
            }[cb]
            key = normalize_certificate_number(number)
            if key not in self.global_keys:
                self.global_keys.add(key)
                return number

    def add_certificate(
        self,
        *,
        cb: str,
        org: _Org,
        standard: Standard,
        number: str,
        scope: str,
        sectors: Sequence[int],
        issue: date,
        expiry: date,
        original: date | None,
        events: Sequence[tuple[str, date, str | None]],
        markets: Sequence[str] = (),
        sites: Sequence[tuple[str, str, str]] = (),
        confidential: bool = False,
    ) -> None:
        """Queue one certificate with its sites and dated status history."""
        cert_id = self.new_id()
        key = normalize_certificate_number(number)
        if (cb, key) in self.number_keys:
            raise ValueError(f"demo certificate number {number} repeats at {cb}")
        self.number_keys.add((cb, key))
        org.codes.add(standard.code_key)
        self.certificates.append(
            {
                "id": cert_id,
                "certification_body_id": self.cb_ids[cb],
                "organization_id": org.id,
                "standard_id": standard.id,
                "certificate_number": number,
                "number_key": key,
                "scope": scope,
                "sectors": sorted(sectors),
                "original_issue_date": original,
                "issue_date": issue,
                "expiry_date": expiry,
                "confidential": confidential,
            }
        )
        if sites:
            for position, (site_name, address, country) in enumerate(sites):
                self.sites.append(
                    {
                        "id": self.new_id(),
                        "certificate_id": cert_id,
                        "position": position,
                        "name": site_name,
                        "address": address,
                        "country": country,
                    }
                )
        else:
            self._site_rows(
                cert_id, org, markets or (org.country,), standard.code_key == "ISO27001"
            )
        current = ACTIVE
        for status, effective_from, reason in sorted(events, key=lambda e: e[1]):
            self.events.append(
                {
                    "id": self.new_id(),
                    "certificate_id": cert_id,
                    "status": status,
                    "effective_from": effective_from,
                    "reason": reason,
                }
            )
            if effective_from <= self.today:
                current = status
        self.statuses[current] += 1

    # --- the random part ---

    def _pick_edition(self, plan: _CbPlan) -> tuple[_EditionPlan, date, date] | None:
        """An edition the CB is accredited for and the window its certificates were issued in."""
        accredited = {standard_code_key(a.standard) for a in plan.accreditations}
        choices = [e for e in _EDITIONS if standard_code_key(e.code) in accredited]
        edition = self.rng.choices(choices, weights=[e.weight for e in choices])[0]
        key = standard_code_key(edition.code)
        records = self.records[(plan.acronym, key)]
        low = max(edition.first_issue, min(r.valid_from for r in records))
        high = min(self.today, edition.last_issue or self.today)
        stops = [r.last_issue for r in records if r.last_issue is not None]
        if stops:
            high = min(high, *stops)
        return (edition, low, high) if low <= high else None

    def _dates(self, edition: _EditionPlan, low: date, high: date) -> tuple[date, date]:
        """Issue and expiry dates of one three-year cycle within the window."""
        rng = self.rng
        if edition.last_issue is not None:
            issue = low + _days(rng.randint(0, (high - low).days))
        elif rng.random() < 0.1:
            issue = _add_years(self.today - _days(rng.randint(1, 900)), -3) + _days(1)
        else:
            issue = self.today - _days(rng.randint(0, 1094))
        if issue < low:
            issue = low + _days(rng.randint(0, min(365, (high - low).days)))
        if issue > high:
            issue = high - _days(rng.randint(0, min(365, (high - low).days)))
        return issue, _cycle_expiry(issue)

    def _history(self, issue: date, expiry: date) -> list[tuple[str, date, str | None]]:
        """Dated status history: mostly active; some suspended, reinstated or withdrawn."""
        rng, today = self.rng, self.today
        events: list[tuple[str, date, str | None]] = [(ACTIVE, issue, None)]
        end = min(expiry, today)
        span = (end - issue).days
        draw = rng.random()
        if span < 120:
            return events
        if draw < 0.03:
            withdrawn = issue + _days(rng.randint(90, span))
            if rng.random() < 0.6:
                suspended = withdrawn - _days(rng.randint(30, 80))
                events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
            events.append((WITHDRAWN, withdrawn, rng.choice(_CERT_WITHDRAWALS)))
        elif draw < 0.05 and expiry > today:
            suspended = today - _days(rng.randint(1, min(170, span - 30)))
            events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
        elif draw < 0.065:
            suspended = issue + _days(rng.randint(30, span - 60))
            lifted = suspended + _days(rng.randint(14, min(90, (end - suspended).days)))
            events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
            events.append((ACTIVE, lifted, "Suspension lifted after corrective actions"))
        elif draw < 0.07 and (expiry - today).days > 60:
            # Future-dated: the client asked for withdrawal at the end of a coming month.
            events.append((WITHDRAWN, today + _days(rng.randint(5, 45)), _CERT_WITHDRAWALS[1]))
        return events

    def _allowed_sectors(self, key: str, record: _Record | None) -> list[int]:
        """Plausible IAF sectors for the standard, within the accreditation when sectors apply."""
        plausible = _PLAUSIBLE_SECTORS.get(key, _PLAUSIBLE_SECTORS["ISO9001"])
        if record is not None and record.sectors and uses_iaf_sectors(key):
            return [s for s in plausible if s in record.sectors] or list(record.sectors)
        return list(plausible)

    def _sector_for(self, allowed: Sequence[int], country: str) -> int:
        """A new organisation's main sector; a featured name's sector while it is unused."""
        for featured_country, sector in self.featured_left:
            if featured_country == country and sector in allowed:
                return sector
        weights = [_SECTOR_WEIGHTS.get(s, 1) for s in allowed]
        return self.rng.choices(allowed, weights=weights)[0]

    def _scope(self, key: str, org: _Org, medical: bool) -> str:
        """Scope text by type of activity (ISO/IEC 17021-1 §8.2.2 f)."""
        rng = self.rng
        if medical:
            return rng.choice(_MEDICAL_ACTIVITIES)
        if key == "ISO27001":
            activity = rng.choice(_ISMS_ACTIVITIES.get(org.sector, _ISMS_ACTIVITIES[33]))
            return (
                f"The information security management system supporting {activity}, in "
                f"accordance with the Statement of Applicability version {rng.randint(1, 9)}"
            )
        activity = rng.choice(_ACTIVITIES.get(org.sector, _ACTIVITIES[35]))
        if key == "ISO50001":
            return f"Energy management of {activity[0].lower()}{activity[1:]}"
        return activity

    def add_random_certificate(self) -> None:
        """One synthetic certificate at a weighted CB, edition, country and sector."""
        rng = self.rng
        plans = _CERTIFICATION_BODIES
        for _ in range(1000):
            plan = rng.choices(plans, weights=[p.weight for p in plans])[0]
            picked = self._pick_edition(plan)
            if picked is not None:
                break
        else:
            raise ValueError(f"no demo certificate can be issued on or before {self.today}")
        edition, low, high = picked
        key = standard_code_key(edition.code)
        standard = self.standards[(key, edition.edition)]
        issue, expiry = self._dates(edition, low, high)
        record = self.record_at(plan.acronym, key, issue)
        medical = key == "ISO13485"
        markets = [c for c, _ in plan.markets]
        country = rng.choices(markets, weights=[w for _, w in plan.markets])[0]

        allowed = self._allowed_sectors(key, record)
        org: _Org | None = None
        if not medical and rng.random() < 0.25:
            # The same organisation often holds several standards with the same CB.
            pool = [
                o
                for o in self.orgs_by_cb.get(plan.acronym, [])
                if o.country == country and key not in o.codes and o.sector in allowed
            ]
            org = rng.choice(pool) if pool else None
        if org is None:
            sector = self._sector_for(allowed, country)
            org = self.add_org(plan.acronym, country, sector, medical=medical)

        sectors: list[int] = []
        if uses_iaf_sectors(key):
            sectors = [org.sector]
            others = [s for s in allowed if s != org.sector]
            if others and rng.random() < 0.2:
                sectors.append(rng.choice(others))
        cycle = 1
        original: date | None = None
        if rng.random() < 0.55:
            cycle = rng.randint(2, 5)
            original = _add_years(issue, -3 * (cycle - 1)) - _days(rng.randint(0, 90))
        self.add_certificate(
            cb=plan.acronym,
            org=org,
            standard=standard,
            number=self._number(plan.acronym, standard.family or "", issue, country, cycle),
            scope=self._scope(key, org, medical),
            sectors=sectors,
            issue=issue,
            expiry=expiry,
            original=original,
            events=self._history(issue, expiry),
            markets=markets,
            confidential=rng.random() < 0.02,
        )

    # --- the showcase ---

    def add_showcase(self) -> None:
        """The fixed SHOWCASE certificates, dated relative to `today`."""
        today = self.today
        s9001 = self.standards[("ISO9001", "2015")]
        s14001 = self.standards[("ISO14001", "2015")]
        s45001 = self.standards[("ISO45001", "2018")]
        s27001_2013 = self.standards[("ISO27001", "2013")]

        def org(cb: str, name: str, country: str, sector: int, *aliases: str) -> _Org:
            return self.add_org(cb, country, sector, name=name, aliases=aliases)

        def site(address: str, country: str = "GB") -> tuple[tuple[str, str, str], ...]:
            return (("Head office", address, country),)

        def active(issue: date) -> list[tuple[str, date, str | None]]:
            return [(ACTIVE, issue, None)]

        issue = today - _days(400)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Albion Precision Engineering Ltd", "GB", 17, "Albion Precision"),
            standard=s9001,
            number=SHOWCASE["valid"].certificate_number,
            scope="Design and manufacture of precision machined components for the aerospace "
            "and rail industries",
            sectors=(17, 18),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -6),
            events=active(issue),
            sites=(
                *site("Unit 4, Tinsley Park Road, Sheffield S9 5DL"),
                ("Assembly plant", "Ashby Road, Loughborough LE11 3TU", "GB"),
            ),
        )
        expiry = today + _days(45)
        issue = _add_years(expiry + _days(1), -3)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Severn Valley Packaging Ltd", "GB", 14),
            standard=s14001,
            number=SHOWCASE["valid_with_warnings"].certificate_number,
            scope="Manufacture of printed flexible plastic packaging for the food industry",
            sectors=(14,),
            issue=issue,
            expiry=expiry,
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Riverside Works, Severn Road, Worcester WR1 2SX"),
        )
        ambiguous = SHOWCASE["ambiguous"].certificate_number
        issue = today - _days(250)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Kestrel Facilities Management Ltd", "GB", 35),
            standard=s9001,
            number=ambiguous,
            scope="Facilities management and cleaning services",
            sectors=(35,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=active(issue),
            sites=site("14 Commerce Way, Leeds LS10 1BZ"),
        )
        issue = today - _days(610)
        self.add_certificate(
            cb="MAI",
            org=org("MAI", "Kestrel Industrial Supply Inc.", "US", 29),
            standard=s9001,
            number=ambiguous,
            scope="Wholesale distribution of industrial supplies",
            sectors=(29,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -9),
            events=active(issue),
            sites=site("2200 Harbor Avenue, Cleveland OH 44102", "US"),
        )
        issue = today - _days(500)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Greyfriars Construction Ltd", "GB", 28),
            standard=s9001,
            number=SHOWCASE["withdrawn"].certificate_number,
            scope="General building construction and refurbishment",
            sectors=(28,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -3),
            events=[
                *active(issue),
                (SUSPENDED, today - _days(120), _CERT_SUSPENSIONS[0]),
                (WITHDRAWN, today - _days(30), _CERT_WITHDRAWALS[0]),
            ],
            sites=site("Greyfriars House, 3 Friar Lane, Leicester LE1 5RA"),
        )
        issue = today - _days(300)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Thamesmead Plastics Ltd", "GB", 14),
            standard=s9001,
            number=SHOWCASE["suspended"].certificate_number,
            scope="Injection moulding of plastic components",
            sectors=(14,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=[*active(issue), (SUSPENDED, today - _days(20), _CERT_SUSPENSIONS[1])],
            sites=site("Unit 9, Harrow Manorway, London SE2 9RT"),
        )
        expiry = today - _days(10)
        issue = _add_years(expiry + _days(1), -3)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Pennine Textiles Ltd", "GB", 4),
            standard=s9001,
            number=SHOWCASE["expired"].certificate_number,
            scope="Weaving and finishing of technical textiles",
            sectors=(4,),
            issue=issue,
            expiry=expiry,
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Dale Mill, Burnley Road, Todmorden OL14 7ET"),
        )
        issue = today + _days(14)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Solent Marine Services Ltd", "GB", 20),
            standard=s45001,
            number=SHOWCASE["not_yet_valid"].certificate_number,
            scope="Ship repair and conversion",
            sectors=(20,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=active(issue),
            sites=site("Quay Road, Southampton SO14 3JF"),
        )
        expiry = today + _days(120)
        issue = min(_add_years(expiry + _days(1), -3), date(2024, 4, 30))
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Cobalt Data Centres Ltd", "GB", 33),
            standard=s27001_2013,
            number=SHOWCASE["outdated_standard"].certificate_number,
            scope="The information security management system supporting the design and "
            "operation of colocation data centres, in accordance with the Statement of "
            "Applicability version 7",
            sectors=(),
            issue=issue,
            expiry=expiry,
            original=None,
            events=active(issue),
            sites=(
                *site("Cobalt Park, 1 Silverlink Way, Newcastle upon Tyne NE28 9ND"),
                ("Data centre", "Slough Trading Estate, Slough SL1 4BB", "GB"),
            ),
        )
        issue = today - _days(500)
        self.add_certificate(
            cb="TCS",
            org=org("TCS", "Poprad Strojárne a.s.", "SK", 18, "Poprad Strojarne"),
            standard=s9001,
            number=SHOWCASE["not_accredited"].certificate_number,
            scope="Design and manufacture of special-purpose machinery",
            sectors=(18,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -6),
            events=active(issue),
            sites=site("Priemyselná 12, 058 01 Poprad", "SK"),
        )
        issue = today - _days(180)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Harbourside Logistics Ltd", "GB", 31),
            standard=s9001,
            number=SHOWCASE["mismatch"].certificate_number,
            scope="Warehousing, storage and road distribution of palletised goods",
            sectors=(31,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Dock Road, Felixstowe IP11 3SW"),
        )
        self.name_keys.add(fold_name(SHOWCASE["mismatch"].claimed_organization or ""))

    # --- writing ---

    def write(self) -> None:
        """Insert organisations, certificates, sites and status events in executemany batches."""
        org_rows = [
            {
                "id": org.id,
                "certification_body_id": self.cb_ids[org.cb],
                "name": org.name,
                "name_key": fold_name(org.name),
                "country": org.country,
                "aliases": org.aliases,
                "lei": None,
                "vat": None,
            }
            for org in self.orgs
        ]
        for model, rows in (
            (Organization, org_rows),
            (Certificate, self.certificates),
            (CertificateSite, self.sites),
            (CertificateStatusEvent, self.events),
        ):
            for batch in _batches(rows):
                repo.insert_rows(self.session, model, list(batch))
                self.session.flush()
        index_new_organizations(self.session, org_rows)
        # The verification facts rows, in the same transaction: one set-based statement (the
        # demo only loads into an empty registry, so every row is one of these certificates).
        rebuild_certificate_facts(self.session)


def build_demo_registry(
    session: Session, *, certificates: int = 5000, today: date, seed: int = 7
) -> DemoReport:
    """Build the demo registry and SHOWCASE, deterministic per seed and today; only flushes."""
    if certificates < 0:
        raise ValueError("certificates must be zero or more")
    if not registry_is_empty(session):
        raise ValueError(
            "the registry already holds certificates; the demo only loads into an empty registry"
        )
    builder = _Builder(session, today, seed)
    bodies = builder.load_reference()
    cb_count = builder.create_bodies(bodies)
    builder.add_showcase()
    for _ in range(certificates):
        builder.add_random_certificate()
    builder.write()
    return DemoReport(
        certification_bodies=cb_count,
        accreditations=builder.accreditation_count,
        organizations=len(builder.orgs),
        certificates=len(builder.certificates),
        showcase_certificates=SHOWCASE_CERTIFICATE_COUNT,
        sites=len(builder.sites),
        status_events=len(builder.events),
        statuses=dict(builder.statuses),
        expired=sum(1 for row in builder.certificates if row["expiry_date"] < today),
        confidential=sum(1 for row in builder.certificates if row["confidential"]),
    )
