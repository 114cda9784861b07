"""docs/security.md maps every OWASP API Security Top 10 (2023) item to tests that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_owasp_item_names_tests_that_exist() -> None:
    """API1..API10 each list at least one test, and every test named is defined."""
    text = (ROOT / "docs" / "security.md").read_text()
    sections = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    items = {section.split(" ", 1)[0]: section for section in sections}
    assert sorted(items, key=lambda k: int(k[3:])) == [f"API{n}" for n in range(1, 11)]
    for item, section in items.items():
        refs = TEST_REF.findall(section)
        assert refs, f"{item} names no test"
        for path, name in refs:
            file = ROOT / path
            assert file.is_file(), f"{item}: {path} does not exist"
            assert name in _test_names(file), f"{item}: {path}::{name} does not exist"
