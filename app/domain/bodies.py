"""Which certification body a person means when they name one (DESIGN.md, "CB resolution").

A buyer copies the issuer from the certificate: "Bureau Veritas Certification", "BVC",
"Bureau Veritas Certification Holding SAS", or a former name. The named body is resolved by id,
acronym, exact folded name, name without legal form (or holding suffix), then aliases, in that
order: the first step that finds a body decides, and within a step the oldest body wins (the
order the caller gives). Resolving to nothing is an answer too: the verification then says the
name was not recognised instead of claiming the issuer does not publish here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.names import fold_name, fold_text

HOLDING_SUFFIXES: tuple[str, ...] = ("holding", "holdings", "group")
"""Words a group's name carries after its operating name ("Bureau Veritas Certification
Holding SAS", "Kiwa Group"): a buyer often leaves them out, so they are dropped from the end
of both names, after the legal form, for the fourth step."""


@dataclass(frozen=True, slots=True)
class BodyName:
    """What resolution reads about one certification body."""

    id: str
    name: str
    acronym: str | None = None
    aliases: tuple[str, ...] = ()


def _without_holding(folded: str) -> str:
    """A folded name without trailing holding words; unchanged when nothing else would remain."""
    words = folded.split()
    while len(words) > 1 and words[-1] in HOLDING_SUFFIXES:
        words.pop()
    return " ".join(words)


def resolve_body(named: str, bodies: Sequence[BodyName]) -> str | None:
    """The id of the body `named` means, or None (DESIGN.md, "CB resolution").

    Steps, each over every body before the next: a UUID equal to a body's id; the acronym
    (case-insensitive); the exact folded name (`fold_text`: case, accents, punctuation); the
    name without legal form (`fold_name`), also without holding suffixes (HOLDING_SUFFIXES);
    an alias, compared like names (folded, legal form ignored). Within a step the first body
    (the oldest, in the caller's order) wins.
    """
    found = matching_bodies(named, bodies)
    return found[0] if found else None


def matching_bodies(named: str, bodies: Sequence[BodyName]) -> tuple[str, ...]:
    """The ids of every body the first matching step of `resolve_body` finds, in the caller's
    order: one id, none, or several when `named` is ambiguous at that step (two bodies whose
    names differ only by legal form). Where a choice binds something, such as an API key to
    a body, the caller refuses an ambiguous name instead of taking the oldest."""
    text = named.strip()
    if not text:
        return ()
    try:
        as_id = str(uuid.UUID(text))
    except ValueError:
        as_id = None
    exact = fold_text(text)
    without_form = fold_name(text)
    without_holding = _without_holding(without_form)
    steps = (
        lambda body: as_id is not None and body.id == as_id,
        lambda body: body.acronym is not None and body.acronym.strip().upper() == text.upper(),
        lambda body: fold_text(body.name) == exact,
        lambda body: (
            fold_name(body.name) == without_form
            or _without_holding(fold_name(body.name)) == without_holding
        ),
        lambda body: any(fold_name(alias) == without_form for alias in body.aliases),
    )
    for step in steps:
        found = tuple(body.id for body in bodies if step(body))
        if found:
            return found
    return ()
