"""docs/reliability.md stays true: every row of its tables names tests that exist.

Checks that each table has the columns | input or fault | what happens (outcome a user sees) |
test |, that every row names at least one pytest node id (``tests/<file>.py::<test>`` with an
optional ``[param]``, or ``tests/<file>.py::<Class>::<test>``) and that the named file defines
that test -- rows may come from any test file -- and that every test of
tests/test_bad_inputs.py and tests/test_properties.py is listed in the document.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
HEADER = ["input or fault", "what happens (outcome a user sees)", "test"]
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)+)(\[[^\]`]*\])?`")
MUST_BE_LISTED = ("tests/test_bad_inputs.py", "tests/test_properties.py")


def cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def table_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every data row of every table in the document."""
    rows, header = [], None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("|"):
            header = None
            continue
        row = cells(line)
        if header is None:
            header = row
            assert header == HEADER, f"docs/reliability.md:{n}: table columns must be {HEADER}, got {row}"
            continue
        if all(set(c) <= set("-: ") for c in row):
            continue  # the |---|---| line
        rows.append((n, row))
    return rows


def defined_tests(path: Path) -> set[str]:
    """'test_x' and 'TestClass::test_x' names defined in a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    names.add(f"{node.name}::{item.name}")
    return names


@pytest.fixture(scope="module")
def rows() -> list[tuple[int, list[str]]]:
    found = table_rows(DOC.read_text(encoding="utf-8"))
    assert len(found) >= 20, "docs/reliability.md has lost its table"
    return found


def test_every_row_names_tests_that_exist(rows):
    cache: dict[str, set[str]] = {}
    for n, row in rows:
        assert len(row) == 3 and all(row), f"docs/reliability.md:{n}: a row needs 3 filled cells: {row}"
        refs = NODE_ID.findall(row[2])
        assert refs, f"docs/reliability.md:{n}: no `tests/<file>.py::<test>` in the test column: {row[2]!r}"
        for file, name, _param in refs:
            path = ROOT / file
            assert path.is_file(), f"docs/reliability.md:{n}: {file} does not exist"
            if file not in cache:
                cache[file] = defined_tests(path)
            assert name[2:] in cache[file], f"docs/reliability.md:{n}: {file} has no test {name[2:]}"


@pytest.mark.parametrize("file", MUST_BE_LISTED)
def test_every_test_of_the_reliability_files_is_listed(rows, file):
    listed = {name[2:] for _, row in rows for f, name, _ in NODE_ID.findall(row[2]) if f == file}
    missing = defined_tests(ROOT / file) - listed
    assert not missing, f"docs/reliability.md does not list these tests of {file}: {sorted(missing)}"


def test_the_queries_section_is_there_for_the_other_rows():
    text = DOC.read_text(encoding="utf-8")
    assert "\n## Queries and concurrent use\n" in text


def test_the_checker_rejects_what_it_should(tmp_path):
    """The parser is not vacuous: a wrong header or an unknown test is caught."""
    with pytest.raises(AssertionError, match="table columns"):
        table_rows("| input | outcome | test |\n|---|---|---|\n| a | b | `tests/x.py::t` |\n")
    good = "| " + " | ".join(HEADER) + " |\n|---|---|---|\n| a | b | `tests/test_bad_inputs.py::test_nope[x]` |\n"
    [(n, row)] = table_rows(good)
    [(file, name, param)] = NODE_ID.findall(row[2])
    assert (file, name, param) == ("tests/test_bad_inputs.py", "::test_nope", "[x]")
    assert "test_nope" not in defined_tests(ROOT / file)
