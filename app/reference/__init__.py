"""Reference data shipped with certverify (built by scripts/build_reference_data.py)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

REFERENCE_DATA_FILE = "reference_data.json"


def load_reference_data() -> dict[str, Any]:
    """The packaged reference data: IAF sectors, standard editions, accreditation bodies."""
    text = resources.files(__name__).joinpath(REFERENCE_DATA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


LOOKALIKE_FILE = "lookalike_accreditation_bodies.json"


def load_lookalike_bodies() -> dict[str, Any]:
    """The packaged look-alike list (issue 17): look-alike accreditation bodies, legitimate
    bodies easily confused with them, and unresolved ones, each with its sources."""
    text = resources.files(__name__).joinpath(LOOKALIKE_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
