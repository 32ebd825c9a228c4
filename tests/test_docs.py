"""The README tells the truth: schema, example queries and CLI commands are documented."""

import subprocess
import sys
from pathlib import Path

import pytest

from graph.cypher import EXAMPLE_QUERIES
from graph.schema import NODE_TYPES, REL_TYPES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("label", [t.label for t in NODE_TYPES])
def test_every_node_label_and_its_properties_are_documented(label):
    node_type = next(t for t in NODE_TYPES if t.label == label)
    row = next((line for line in README.splitlines() if line.startswith(f"| `{label}` |")), None)
    assert row is not None, f"README schema table lacks {label}"
    for prop in node_type.property_names:
        assert f"`{prop}`" in row, f"README schema row for {label} lacks property {prop}"


@pytest.mark.parametrize("rel", [r.name for r in REL_TYPES])
def test_every_relationship_type_is_documented(rel):
    assert f"| `{rel}` |" in README


@pytest.mark.parametrize("query", EXAMPLE_QUERIES, ids=lambda q: q.name)
def test_every_example_query_is_in_the_readme_verbatim(query):
    assert query.cypher.strip() in README


@pytest.mark.parametrize("command", ["build", "ingest", "query", "export", "validate", "stats"])
def test_every_cli_command_has_help_and_is_documented(command):
    out = subprocess.run([sys.executable, "-m", "graph", command, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "usage:" in out.stdout
    assert f"python -m graph {command}" in README


def test_readme_commands_exist():
    assert "bash scripts/run.sh" in README and (ROOT / "scripts" / "run.sh").exists()
    assert "bash scripts/test.sh" in README and (ROOT / "scripts" / "test.sh").exists()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
