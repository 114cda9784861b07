"""IAF MD 28 (CertSearch) status vocabulary mapped onto ours."""

from __future__ import annotations

import pytest

from app.domain.facts import Status
from app.domain.vocabulary import map_status


@pytest.mark.parametrize(
    ("word", "status", "skip"),
    [
        ("Active", Status.ACTIVE, False),
        ("", Status.ACTIVE, False),
        ("SUSPENDED", Status.SUSPENDED, False),
        ("Withdrawn", Status.WITHDRAWN, False),
        ("Cancelled", Status.WITHDRAWN, False),
        ("Inactive", Status.WITHDRAWN, False),
        ("Expired", None, False),
        ("Draft", None, True),
    ],
)
def test_certsearch_statuses_map_onto_ours(word: str, status: Status | None, skip: bool) -> None:
    """Every value of the IAF CertSearch upload enum has a documented mapping."""
    mapping = map_status(word)
    assert (mapping.status, mapping.skip) == (status, skip)
    assert mapping.explanation


def test_unknown_status_is_an_error_naming_the_choices() -> None:
    """An unknown word is refused with the accepted vocabulary."""
    with pytest.raises(ValueError, match="unknown status 'Revoked'; expected one of Active"):
        map_status("Revoked")
