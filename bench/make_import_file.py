"""Write a synthetic certificate import file (our CSV columns or IAF MD 28) with N rows.

Usage: python bench/make_import_file.py OUT.csv --rows 1000000 [--md28] [--prefix BX]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta

STANDARDS = [
    ("ISO 9001:2015", 0.55, True),
    ("ISO 14001:2015", 0.2, True),
    ("ISO 45001:2018", 0.1, True),
    ("ISO/IEC 27001:2022", 0.1, False),
    ("ISO 22000:2018", 0.05, False),
]
COUNTRIES = ["GB", "DE", "FR", "ES", "IT", "NL", "PL", "SE", "IE", "US", "CN", "IN", "SG", "JP"]
WORDS = [
    "Acme",
    "Northern",
    "Blue",
    "River",
    "Precision",
    "Global",
    "Green",
    "Summit",
    "Delta",
    "Orion",
    "Atlas",
    "Nova",
    "Harbour",
    "Granite",
    "Silver",
    "Falcon",
    "Meridian",
    "Apex",
]
TRADES = [
    "Engineering",
    "Logistics",
    "Foods",
    "Software",
    "Plastics",
    "Builders",
    "Metals",
    "Textiles",
    "Chemicals",
    "Pharma",
    "Electronics",
    "Services",
    "Printing",
    "Energy",
]
FORMS = ["Ltd", "GmbH", "SA", "Inc", "LLC", "BV", "AB", "Srl", "Sp. z o.o.", "KK"]
STATUSES = [("Active", 0.9), ("Suspended", 0.04), ("Withdrawn", 0.04), ("Expired", 0.02)]


def main() -> None:
    """Generate the file deterministically from --seed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--md28", action="store_true", help="IAF MD 28 headers and YYYYMMDD dates")
    parser.add_argument("--prefix", default="BX", help="Certificate number prefix.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    standards = [s for s, _, _ in STANDARDS]
    weights = [w for _, w, _ in STANDARDS]
    sectors_by = {s: uses for s, _, uses in STANDARDS}
    statuses = [s for s, _ in STATUSES]
    status_w = [w for _, w in STATUSES]
    if args.md28:
        header = [
            "Certificate Number",
            "Certification Status",
            "Certified Entity Name",
            "Certified Entity Country",
            "Standards/schemes",
            "Certification Scope",
            "Sector code",
            "Certification site address",
            "Certification site country",
            "Certification Original Issue Date",
            "Certification Issue Date",
            "Certification Expiry Date",
            "Confidential Certified Entity",
        ]
    else:
        header = [
            "certificate_number",
            "status",
            "organization_name",
            "organization_country",
            "standard",
            "scope",
            "sectors",
            "site_address",
            "site_country",
            "original_issue_date",
            "issue_date",
            "expiry_date",
            "confidential",
        ]

    def fmt(d: date | None) -> str:
        if d is None:
            return ""
        return d.strftime("%Y%m%d") if args.md28 else d.isoformat()

    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(args.rows):
            std = rng.choices(standards, weights)[0]
            country = rng.choice(COUNTRIES)
            name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i // 3} {rng.choice(FORMS)}"
            issue = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1000))
            expiry = issue + timedelta(days=3 * 365 - 1)
            original = issue - timedelta(days=3 * 365 * rng.randrange(0, 3))
            sites = rng.randrange(1, 3)
            sectors = ";".join(
                str(s) for s in sorted(rng.sample(range(1, 40), rng.randrange(1, 3)))
            )
            writer.writerow(
                [
                    f"{args.prefix}-{i:07d}",
                    rng.choices(statuses, status_w)[0],
                    name,
                    country,
                    std,
                    f"{rng.choice(TRADES)} for industrial customers",
                    sectors if sectors_by[std] else "",
                    "|".join(f"{n} Main Street, Town {i % 997}" for n in range(1, sites + 1)),
                    "|".join([country] * sites),
                    fmt(original if original < issue else None),
                    fmt(issue),
                    fmt(expiry),
                    "No" if args.md28 else "false",
                ]
            )


if __name__ == "__main__":
    main()
