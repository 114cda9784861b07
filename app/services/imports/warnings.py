"""Import warnings: a row that is written but will not verify as valid, said on its row.

A warning is not an error: the row is written (the CB states what it certified), and the
report says what a buyer will be told. The rules are the verification engine's own
(app/domain/verification.py: `accreditation_checks` and `check_standard_edition`, the functions
`verify` runs, with the import's date from the app clock as `as_of`),
applied to the certificate as the import left it, so an import never disagrees with a later
verification:

- `sectors_outside_accreditation`: the `accreditation_sectors` check fails (IAF ID 1: a
  certificate's IAF sectors lie within the accreditation's; DESIGN.md "Verification rules"):
  the certificate verifies `not_accredited`.
- `edition_past_transition`: the `standard_edition` check fails (the edition's transition
  deadline has passed, IAF Resolution 2017-13 / the edition's `transition_rule_source`): the
  certificate verifies `outdated_standard`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from app.domain.facts import AccreditationFact, CheckCode, Outcome, Verdict
from app.domain.verification import accreditation_checks, check_standard_edition
from app.repositories.accreditations import accreditations_of_certification_body
from app.repositories.certificates import written_certificate_fact_rows
from app.services.imports.report import RowReport
from app.services.verification.fact_mapping import (
    accreditation_fact,
    certificate_facts,
    recognition_arrangements,
)

SECTORS_OUTSIDE_ACCREDITATION = "sectors_outside_accreditation"
EDITION_PAST_TRANSITION = "edition_past_transition"
WARNED_CHECKS: dict[CheckCode, tuple[str, str, Verdict]] = {
    CheckCode.ACCREDITATION_SECTORS: (
        SECTORS_OUTSIDE_ACCREDITATION,
        "sectors",
        Verdict.NOT_ACCREDITED,
    ),
    CheckCode.STANDARD_EDITION: (EDITION_PAST_TRANSITION, "standard", Verdict.OUTDATED_STANDARD),
}
"""Failing check -> (warning code, the column it is about, the verdict it leads to)."""


class ImportWarnings:
    """Checks written rows of one CB's import with the verification engine, as of `today`."""

    def __init__(self, session: Session, certification_body_id: uuid.UUID, today: date) -> None:
        self.session = session
        self.certification_body_id = certification_body_id
        self.today = today
        self._accreditations: tuple[AccreditationFact, ...] | None = None

    def accreditations(self) -> tuple[AccreditationFact, ...]:
        """The CB's accreditations, loaded once per import (an import does not change them)."""
        if self._accreditations is None:
            self._accreditations = tuple(
                accreditation_fact(a)
                for a in accreditations_of_certification_body(
                    self.session, self.certification_body_id
                )
            )
        return self._accreditations

    def add(self, rows: Sequence[tuple[RowReport, dict[str, str]]]) -> None:
        """Attach the warnings to each written row's report (rows: report and the row's
        column names by our field names)."""
        by_id = {uuid.UUID(r.certificate_id): (r, s) for r, s in rows if r.certificate_id}
        if not by_id:
            return
        self.session.flush()  # nothing should be pending; read what the batch wrote
        facts = certificate_facts(written_certificate_fact_rows(self.session, by_id))
        arrangements = recognition_arrangements()
        accreditations = self.accreditations()
        for fact in facts:
            report, sources = by_id[uuid.UUID(fact.id)]
            _, _, sectors, _ = accreditation_checks(fact, accreditations, self.today, arrangements)
            for finding in (sectors, check_standard_edition(fact, self.today)):
                check = finding.check
                warned = WARNED_CHECKS.get(check.code)
                if warned is None or check.outcome is not Outcome.FAIL:
                    continue
                code, column, verdict = warned
                report.warnings.append(
                    {
                        "code": code,
                        "field": sources.get(column, column),
                        "message": f"{check.message}; the certificate verifies as "
                        f"{verdict.value} (check {check.code.value}, as of {self.today})",
                    }
                )
