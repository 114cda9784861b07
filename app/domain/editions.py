"""Standard editions at write time: a certificate to an edition not yet published is refused.

DESIGN.md, "Deadlines": "A certificate to an edition that was not published on its issue date (a
draft such as ISO 9001:2026 before publication) is refused at write time." The reference data's
`_meta.published` reads: "A certificate issued to an edition before its publication, or to a
draft, is not a genuine certificate." The write API (app/services/registry/certificates.py) and
the import (app/services/imports/certificates.py) both ask `unpublished_on_issue_date`, so the
rule is one.

The rule never refuses a genuine certificate: when the data cannot tell, the write is allowed.
So a publication date given as a month ("2018-03") or a year ("2018") counts from the first day
of that month or year (the earliest day it can have been published); an edition with no
publication date is refused only when its status says it is a draft; a date that cannot be read
allows the write.
"""

from __future__ import annotations

import re
from datetime import date

_PUBLISHED = re.compile(
    r"^\s*(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?\s*$"
)
_DRAFT = re.compile(r"\b(?:draft|DIS|FDIS)\b", re.IGNORECASE)


def published_on(published: str | None) -> date | None:
    """The first day an edition can have been published: "2015-09-15" as is, "2018-03" as
    2018-03-01, "2018" as 2018-01-01; None when unknown or unreadable."""
    if published is None:
        return None
    match = _PUBLISHED.match(published)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
    except ValueError:
        return None


def is_draft(published: str | None, status: str | None) -> bool:
    """An edition with no publication date whose status says it is a draft ("draft (FDIS,
    spring 2026)", "DIS"); a dated edition is published, whatever its status says."""
    if published is not None and published.strip():
        return False
    return status is not None and _DRAFT.search(status) is not None


def unpublished_on_issue_date(
    label: str, published: str | None, status: str | None, issue_date: date
) -> str | None:
    """Why a certificate to `label` issued on `issue_date` is refused, or None when it may be
    written: the edition is a draft, or was published after the issue date.

    >>> unpublished_on_issue_date("ISO 9001:2026", None, "draft (FDIS)", date(2026, 3, 1))
    'ISO 9001:2026 was not published on the issue date 2026-03-01 (it is a draft)'
    >>> unpublished_on_issue_date("ISO 14001:2026", "2026-04-15", "current", date(2026, 4, 1))
    'ISO 14001:2026 was not published on the issue date 2026-04-01 (published 2026-04-15)'
    >>> unpublished_on_issue_date("ISO 45001:2018", "2018-03", "current", date(2018, 3, 1)) is None
    True
    """
    if is_draft(published, status):
        return f"{label} was not published on the issue date {issue_date} (it is a draft)"
    first_day = published_on(published)
    if first_day is not None and issue_date < first_day:
        assert published is not None
        return (
            f"{label} was not published on the issue date {issue_date} "
            f"(published {published.strip()})"
        )
    return None
