"""User queries are read-only, bounded, and take user values only as parameters.

Checks, on the graph built from the shipped corpus:

* every kind of write (CREATE, MERGE, SET, DELETE, DETACH DELETE, REMOVE, DROP, ALTER, COPY FROM/TO,
  EXPORT/IMPORT DATABASE, LOAD FROM/LOAD CSV/LOAD EXTENSION, INSTALL, ATTACH/DETACH/USE,
  CHECKPOINT, BEGIN, CALL of setting/writing procedures, FOREACH, CALL {…} subqueries, writes
  hidden in comments, case and full-width tricks, second statements) is refused on every surface
  -- the store's ``query()``, ``python -m graph query`` (``graph.cli.main``) and the app's Cypher
  console (``AppTest``) -- with a one-line message, and the graph, the store folder and the file
  system are unchanged afterwards. LadybugDB always; Neo4j when ``NEO4J_URI`` is set (and the
  Neo4j store with a fake driver always: nothing reaches the driver);
* the guard is not only a pattern: with the pattern check switched off, the LadybugDB engine
  itself refuses (read-only connection, the engine's own plan, one prepared statement), and the
  measured gaps of ``read_only=True`` that make the plan check necessary are pinned;
* the time limit and the row cap: CLI flags, environment variables and the app's inputs; a runaway
  variable-length path ends within the limit with a clear message on every surface, the app keeps
  working; the Neo4j ``Query(timeout=…)``/``fetch_size`` path with a recording fake driver;
* user values (agency names, document references, search text with quotes, backslashes and
  Cypher fragments) reach Cypher as parameters: the CLI, the query layer and the app pages answer
  "not found"/empty without an error and the graph is unchanged; no module builds Cypher from
  values with f-strings, ``%`` or ``.format``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest
from streamlit.testing.v1 import AppTest

from graph import cli
from graph import queries as Q
from graph.store import QueryFailed, QueryRefused, StoreError, open_store
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
CORPUS = REPO_ROOT / "data" / "corpus"
INTRUDER = "intruder"

# (id, cypher): "{tmp}" is a scratch folder of the test (files that must never be written/read).
WRITES: list[tuple[str, str]] = [
    ("create", "CREATE (:Agency {id: 'agency:intruder', name: 'intruder'})"),
    ("create_return", "CREATE (a:Agency {id: 'agency:intruder'}) RETURN a"),
    ("merge", "MERGE (a:Agency {id: 'agency:intruder'}) RETURN a"),
    ("unwind_merge", "UNWIND ['agency:intruder'] AS i MERGE (:Agency {id: i})"),
    ("set", "MATCH (a:Agency) SET a.name = 'intruder'"),
    ("set_map", "MATCH (a:Agency) SET a += {name: 'intruder'}"),
    ("delete", "MATCH (t:Target) DELETE t"),
    ("detach_delete", "MATCH (n) DETACH DELETE n"),
    ("remove", "MATCH (a:Agency) REMOVE a.full_name"),
    ("drop", "DROP TABLE Target"),
    ("alter", "ALTER TABLE Agency ADD intruder STRING"),
    ("create_table", "CREATE NODE TABLE Intruder(id STRING PRIMARY KEY)"),
    ("create_macro", "CREATE MACRO intruder(x) AS x"),
    ("comment_on", "COMMENT ON TABLE Agency IS 'intruder'"),
    ("copy_from", "COPY Agency FROM '{tmp}/agencies.csv'"),
    ("copy_to", "COPY (MATCH (a:Agency) RETURN a.name) TO '{tmp}/leak.csv'"),
    ("export_database", "EXPORT DATABASE '{tmp}/dump'"),
    ("import_database", "IMPORT DATABASE '{tmp}/dump'"),
    ("load_from", "LOAD FROM '{tmp}/agencies.csv' RETURN *"),
    ("load_csv", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row"),
    ("load_extension", "LOAD EXTENSION fts"),
    ("install", "INSTALL httpfs"),
    ("update_extension", "UPDATE httpfs"),
    ("uninstall", "UNINSTALL httpfs"),
    ("attach", "ATTACH '{tmp}/other.lbdb' AS other (dbtype lbug)"),
    ("detach_database", "DETACH other"),
    ("use", "USE other"),
    ("checkpoint", "CHECKPOINT"),
    ("begin", "BEGIN TRANSACTION"),
    ("analyze", "ANALYZE"),
    ("call_setting", "CALL threads=1"),
    ("call_timeout_setting", "CALL timeout=0"),
    ("call_project_graph", "CALL project_graph('g', ['Agency'], [])"),
    ("call_clear_warnings", "CALL clear_warnings()"),
    ("call_neo4j_create_label", "CALL db.createLabel('Intruder')"),
    ("call_apoc_create", "CALL apoc.create.node(['Intruder'], {id: 'x'}) YIELD node RETURN node"),
    ("call_apoc_run_write",
     "CALL apoc.cypher.runWrite('CREATE (:Intruder)', {}) YIELD value RETURN value"),
    ("call_dbms_setting", "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')"),
    ("terminate", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'"),
    ("foreach", "MATCH (a:Agency) FOREACH (x IN [1] | SET a.name = 'intruder')"),
    ("call_subquery",
     "MATCH (a:Agency) CALL { WITH a CREATE (:Agency {id: 'agency:intruder'}) } RETURN a"),
    ("call_scope_subquery", "MATCH (a:Agency) CALL (a) { SET a.name = 'intruder' } RETURN a"),
    ("with_create", "WITH 1 AS x CREATE (:Agency {id: 'agency:intruder'})"),
    ("optional_match_set", "OPTIONAL MATCH (a:Agency) SET a.name = 'intruder' RETURN a"),
    ("block_comment", "MATCH (n) /* harmless */ DETACH DELETE n"),
    ("comment_hides_read", "/* MATCH (n) RETURN n */ CREATE (:Agency {id: 'agency:intruder'})"),
    ("line_comment", "MATCH (a:Agency) // just reading\nSET a.name = 'intruder'"),
    ("comment_glued", "MATCH (n)/**/DETACH/**/DELETE/**/n"),
    ("mixed_case", "cReAtE (:Agency {id: 'agency:intruder'})"),
    ("lower_case", "match (n) detach delete n"),
    ("full_width", "ＣＲＥＡＴＥ (:Agency {id: 'agency:intruder'})"),
    ("unicode_spaces", "MATCH (a:Agency)\u3000SET\u00a0a.name = 'intruder'"),
    ("backslash_escape", "MATCH (a:Agency) WHERE a.name = 'x\\\\' SET a.name = 'intruder'"),
    ("doubled_quote", "MATCH (a:Agency) WHERE a.name = 'it''s' SET a.name = 'intruder'"),
    ("second_statement", "MATCH (n) RETURN n; CREATE (:Agency {id: 'agency:intruder'})"),
    ("second_statement_checkpoint", "RETURN 1; CHECKPOINT"),
    ("second_statement_after_comment",
     "MATCH (n) RETURN n /* ; */ ; MATCH (a:Agency) SET a.name = 'intruder'"),
    ("profile_checkpoint", "PROFILE CHECKPOINT"),
]
WRITE_IDS = [k for k, _ in WRITES]

# With the pattern check off, LadybugDB cannot parse or bind these at all (a syntax/binder error,
# nothing runs); every other kind is refused by the engine (read-only connection or its plan).
LADYBUG_CANNOT_PARSE = {
    "set_map", "remove", "load_csv", "load_extension", "export_database", "import_database",
    "call_neo4j_create_label", "call_apoc_create", "call_apoc_run_write", "call_dbms_setting",
    "terminate", "foreach", "call_subquery", "call_scope_subquery", "full_width", "doubled_quote",
}


def _one_line(text: str) -> str:
    assert "\n" not in text.strip(), f"not one line: {text!r}"
    return text.strip()


def _refusal_ok(message: str) -> None:
    msg = _one_line(message)
    assert "allowed" in msg and "Traceback" not in msg, msg


# -- the graph under test (one per backend) ----------------------------------------------------
@dataclass
class Target:
    backend: str
    path: Optional[str]  # LadybugDB store folder (None for Neo4j)
    tmp: Path  # scratch folder for COPY/LOAD/EXPORT/ATTACH targets
    store: Any
    baseline: dict = field(default_factory=dict)

    def cypher(self, text: str) -> str:
        return text.replace("{tmp}", str(self.tmp))

    def cli_args(self) -> list[str]:
        return ["--backend", self.backend] + (["--store", self.path] if self.path else [])

    def env(self, monkeypatch) -> None:
        monkeypatch.setenv("POLICY_KG_BACKEND", self.backend)
        if self.path:
            monkeypatch.setenv("POLICY_KG_STORE", self.path)


def corpus_records() -> list:
    from loaders.pipeline import iter_document_files, load_paths

    return load_paths(iter_document_files([CORPUS])).records


def graph_state(t: Target) -> dict:
    """What must not change: counts per label/type, intruder traces, the store's files."""
    store = open_store(t.backend, t.path)  # a fresh open: the stored graph still opens read-only
    try:
        labels = store.query("MATCH (n) RETURN label(n) AS l, count(*) AS c").rows
        types = store.query("MATCH ()-[r]->() RETURN label(r) AS t, count(*) AS c").rows
        intruders = store.query(
            "MATCH (n) WHERE n.id STARTS WITH 'agency:intruder' OR n.name = $x "
            "OR n.full_name = $x RETURN count(n)", {"x": INTRUDER}).scalar()
    finally:
        store.close()
    state = {"nodes": dict(map(tuple, labels)), "rels": dict(map(tuple, types)),
             "intruders": intruders}
    if t.path:  # no new version, no .wal/.shadow left by a CHECKPOINT, nothing else written
        state["files"] = sorted(str(p.relative_to(t.path)) for p in Path(t.path).rglob("*")
                                if p.is_file())
    state["scratch"] = sorted(p.name for p in t.tmp.iterdir())
    return state


def assert_unchanged(t: Target) -> None:
    assert graph_state(t) == t.baseline


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def target(request, tmp_path_factory, pipeline_ready):
    backend = request.param
    if backend == "neo4j" and not os.environ.get("NEO4J_URI"):
        pytest.skip("neo4j backend: set NEO4J_URI (and NEO4J_USER/NEO4J_PASSWORD) to a test server")
    if not pipeline_ready:
        pytest.skip("loaders.pipeline cannot load the corpus yet")
    from graph.build import build_graph

    root = tmp_path_factory.mktemp(f"safety_{backend}")
    tmp = root / "scratch"
    tmp.mkdir()
    (tmp / "agencies.csv").write_text(
        "id,name,full_name,kind,aliases,catalogued\nagency:intruder,intruder,x,k,,true\n",
        encoding="utf-8")
    records = corpus_records()
    path = str(root / "store") if backend == "ladybug" else None
    store = open_store(backend, path)
    store.rebuild(build_graph(records), records)
    t = Target(backend, path, tmp, store)
    t.baseline = graph_state(t)
    assert t.baseline["nodes"]["Agency"] > 10 and t.baseline["intruders"] == 0
    yield t
    store.close()


class Console:
    """One app session on the Cypher console page, reused across tests (fast)."""

    def __init__(self) -> None:
        self.at: Optional[AppTest] = None

    def run(self, cypher: str, params: str = "{}", timeout_s: Optional[float] = None,
            max_rows: Optional[int] = None, click: bool = True) -> AppTest:
        if self.at is None:
            self.at = AppTest.from_file(APP, default_timeout=90)
            self.at.query_params["page"] = "cypher"
            self.at.run()
        at = self.at
        at.text_area(key="cy_query").input(cypher)
        at.text_area(key="cy_params").input(params)
        if timeout_s is not None:
            at.number_input(key="cy_timeout").set_value(timeout_s)
        if max_rows is not None:
            at.number_input(key="cy_max_rows").set_value(max_rows)
        if click:
            at.button(key="cy_run").click()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at


@pytest.fixture(scope="module")
def consoles() -> dict[str, Console]:
    import streamlit as st

    out: dict[str, Console] = {}
    yield out
    st.cache_resource.clear()  # the app's store objects of this module's stores
    st.cache_data.clear()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# -- 1. writes are refused on every surface, the graph is unchanged ---------------------------
@pytest.mark.parametrize("kind", WRITE_IDS)
def test_store_refuses_write(target, kind):
    cypher = target.cypher(dict(WRITES)[kind])
    with pytest.raises(QueryRefused) as info:
        target.store.query(cypher)
    _refusal_ok(str(info.value))
    assert_unchanged(target)


@pytest.mark.parametrize("kind", WRITE_IDS)
def test_cli_refuses_write(target, kind, capsys):
    cypher = target.cypher(dict(WRITES)[kind])
    rc = cli.main(["query", cypher, *target.cli_args()])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert err.startswith("error: ")
    _refusal_ok(err)
    assert_unchanged(target)


@pytest.mark.parametrize("kind", WRITE_IDS)
def test_app_console_refuses_write(target, kind, consoles, monkeypatch):
    target.env(monkeypatch)
    console = consoles.setdefault(target.backend, Console())
    at = console.run(target.cypher(dict(WRITES)[kind]))
    (error,) = at.error
    assert "read-only" in error.value
    _refusal_ok(error.value)
    assert not at.dataframe
    assert_unchanged(target)


def test_reads_that_look_like_writes_still_run(target):
    """The guards are not blunt: keywords inside strings, names and comments are fine."""
    rows = target.store.query(
        "MATCH (m:Measure) WHERE m.title CONTAINS 'CREATE' OR m.title CONTAINS $x "
        "RETURN count(m) AS `set` // DELETE? no", {"x": "数字"}).rows
    assert rows[0][0] > 0
    assert target.store.query("CALL show_tables() RETURN count(*)" if target.backend == "ladybug"
                              else "CALL db.labels() YIELD label RETURN count(label)").scalar() > 0


@pytest.mark.parametrize("cypher", [
    "CHECK\u200bPOINT",  # zero-width space inside the keyword
    "CRE\u200dATE (:Agency {id: 'agency:intruder'})",  # zero-width joiner
    "\u0421REATE (:Agency {id: 'agency:intruder'})",  # Cyrillic С
    "\ufeffCHECKPOINT",  # byte-order mark in front
])
def test_invisible_and_look_alike_characters_do_not_sneak_a_write(target, cypher):
    """Not keywords for the pattern check, and not for the engine either: refused or a syntax
    error, never run."""
    with pytest.raises((QueryRefused, QueryFailed)) as info:
        target.store.query(cypher)
    _one_line(str(info.value))
    assert_unchanged(target)


# -- the guard is not only a pattern (LadybugDB engine) ----------------------------------------
@pytest.fixture
def ladybug(target):
    if target.backend != "ladybug":
        pytest.skip("LadybugDB engine checks")
    return target


@pytest.mark.parametrize("kind", WRITE_IDS)
def test_engine_refuses_without_the_pattern_check(ladybug, kind, monkeypatch):
    """graph.readonly.ensure_read_only switched off: the engine still refuses or cannot parse."""
    import graph.ladybug_store as L

    monkeypatch.setattr(L, "ensure_read_only", lambda cypher: None)
    store = L.LadybugStore(ladybug.path)
    try:
        expected = QueryFailed if kind in LADYBUG_CANNOT_PARSE else QueryRefused
        with pytest.raises(expected) as info:
            store.query(ladybug.cypher(dict(WRITES)[kind]))
        _one_line(str(info.value))
    finally:
        store.close()
    assert_unchanged(ladybug)


ENGINE_READ_ONLY_REFUSES = [
    "CREATE (:Agency {id: 'agency:intruder'})",
    "MERGE (:Agency {id: 'agency:intruder'})",
    "MATCH (a:Agency) SET a.name = 'intruder'",
    "MATCH (t:Target) DELETE t",
    "MATCH (n) DETACH DELETE n",
    "DROP TABLE Target",
    "ALTER TABLE Agency ADD intruder STRING",
    "CREATE NODE TABLE Intruder(id STRING PRIMARY KEY)",
    "CREATE MACRO intruder(x) AS x",
    "CREATE SEQUENCE intruder",
    "COMMENT ON TABLE Agency IS 'intruder'",
    "COPY Agency FROM '{tmp}/agencies.csv'",
    "ATTACH '{tmp}/other.lbdb' AS other (dbtype lbug)",
    "DETACH other",
    "CALL clear_warnings()",
]


@pytest.mark.parametrize("cypher", ENGINE_READ_ONLY_REFUSES)
def test_read_only_engine_connection_refuses(ladybug, cypher):
    """The store's own engine connection (no pattern, no plan check) refuses the write."""
    store = open_store("ladybug", ladybug.path)
    try:
        with pytest.raises(RuntimeError, match="read-only database"):
            store.raw_connection().execute(ladybug.cypher(cypher))
    finally:
        store.close()
    assert_unchanged(ladybug)


def test_why_the_plan_check_exists(tmp_path, ladybug):
    """Measured gaps of LadybugDB's read_only=True (0.22), on a throwaway copy of the store.

    If this fails because the engine now refuses these itself, the plan check in
    graph.ladybug_store is belt and braces only; keep it.
    """
    copy = tmp_path / "copy"
    shutil.copytree(ladybug.path, copy)
    version = (copy / "CURRENT").read_text().strip()
    db_file = str(copy / "versions" / version / "graph.lbdb")
    csv_file = ladybug.tmp / "agencies.csv"
    script = textwrap.dedent(f"""
        import ladybug as lb, sys
        conn = lb.Connection(lb.Database({db_file!r}, read_only=True))
        conn.execute("COPY (MATCH (a:Agency) RETURN a.name) TO '{tmp_path}/leak.csv'")
        print(len(conn.execute("LOAD FROM '{csv_file}' RETURN *").get_all()))
        conn.execute("CALL threads=1")
        try:
            conn.execute("CHECKPOINT")
        except RuntimeError as exc:
            print("checkpoint:", str(exc).splitlines()[0][:60])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert (tmp_path / "leak.csv").exists(), proc.stderr  # COPY … TO wrote a file
    assert proc.stdout.splitlines()[0] == "1"  # LOAD FROM read a file
    import ladybug as lb

    with pytest.raises(RuntimeError, match="recovery"):  # CHECKPOINT broke read-only opens
        lb.Database(db_file, read_only=True)


def test_plan_check_refuses_side_effects_the_engine_lets_through(ladybug, monkeypatch):
    """The same statements through the store, pattern check off: refused by the engine's plan."""
    import graph.ladybug_store as L

    monkeypatch.setattr(L, "ensure_read_only", lambda cypher: None)
    store = L.LadybugStore(ladybug.path)
    try:
        for cypher, step in [
            ("COPY (MATCH (a:Agency) RETURN a.name) TO '{tmp}/leak.csv'", "COPY_TO"),
            ("LOAD FROM '{tmp}/agencies.csv' RETURN *", "READ_CSV"),
            ("CALL threads=1", "STANDALONE_CALL"),
            ("CHECKPOINT", "TRANSACTION"),
            ("PROFILE CHECKPOINT", "TRANSACTION"),
            ("INSTALL httpfs", "INSTALL_EXTENSION"),
            ("RETURN 1; CHECKPOINT", "one statement"),
        ]:
            with pytest.raises(QueryRefused, match=step):
                store.query(ladybug.cypher(cypher))
        # the engine's plan check does not get in the way of real reads
        assert store.query("EXPLAIN MATCH (n) RETURN count(n)").rows
        assert store.query("CALL table_info('Agency') RETURN count(*)").scalar() > 0
        assert store.query("MATCH (a:Agency) WHERE a.id IN $ids RETURN count(a)",
                           {"ids": ["agency:市科委"]}).scalar() == 1
    finally:
        store.close()
    assert_unchanged(ladybug)


def test_plan_violation_reads_side_by_side_plans():
    from graph.readonly import plan_violation

    plan = ("│  RESULT_COLLECTOR[3]  │\n│ HASH_JOIN_PROBE[2] ││  COPY_TO[1]  │\n"
            "│ Function: READ_FTABLE │")
    assert "COPY_TO" in plan_violation(plan)
    assert plan_violation("│ ORDER_BY_MERGE[1] │\n│ TABLE_FUNCTION_CALL[0] │\n"
                          "│   Function: SHOW_TABLES   │") is None
    assert "READ_PARQUET" in plan_violation("│ TABLE_FUNCTION_CALL[0] │\n│ Function: READ_PARQUET │")
    assert "could not be checked" in plan_violation("no plan here")


# -- Neo4j: nothing reaches the driver (fake driver, always runs) ------------------------------
@pytest.mark.parametrize("kind", WRITE_IDS)
def test_neo4j_store_refuses_before_the_driver(kind, tmp_path):
    from tests.test_neo4j_store import fake_store

    store, driver = fake_store()
    with pytest.raises(QueryRefused) as info:
        store.query(dict(WRITES)[kind].replace("{tmp}", str(tmp_path)))
    _refusal_ok(str(info.value))
    assert driver.calls == [] and driver.sessions == []


def test_neo4j_cli_refusal_and_limits_reach_the_driver(monkeypatch, capsys):
    """CLI -> Neo4jStore -> driver: refusal before the driver; --timeout/--max-rows and the
    environment become Query(timeout=…) and fetch_size; a server timeout is one line."""
    import neo4j

    from tests.test_neo4j_store import fake_store, server_error

    from graph.neo4j_store import Neo4jStore

    answers: list = []
    _, driver = fake_store(lambda call: answers.pop(0))
    # each CLI run opens (and closes) its own store on the one recording driver
    monkeypatch.setattr(cli, "open_store", lambda backend, path: Neo4jStore(
        "bolt://db.example:7687", "neo4j", "pw", driver=driver))

    assert cli.main(["query", "MATCH (n) DETACH DELETE n", "--backend", "neo4j"]) == 1
    assert "not allowed" in capsys.readouterr().err and driver.calls == []

    answers.append((["i"], [[i] for i in range(20)]))
    assert cli.main(["query", "UNWIND range(0, 19) AS i RETURN i", "--backend", "neo4j",
                     "--timeout", "2.5", "--max-rows", "7", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 7 and "first 7 rows" in err
    assert driver.calls[-1].timeout == 2.5 and driver.sessions[-1]["fetch_size"] == 8
    assert driver.sessions[-1]["default_access_mode"] == neo4j.READ_ACCESS

    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "4")
    monkeypatch.setenv("POLICY_KG_MAX_ROWS", "3")
    answers.append((["i"], [[i] for i in range(20)]))
    assert cli.main(["query", "UNWIND range(0, 19) AS i RETURN i", "--backend", "neo4j",
                     "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert driver.calls[-1].timeout == 4.0 and driver.sessions[-1]["fetch_size"] == 4

    answers.append(server_error(
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "The transaction has not completed within the timeout specified at its start."))
    assert cli.main(["query", "MATCH p=(a)-[*]-(b) RETURN count(p)", "--backend", "neo4j",
                     "--timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert _one_line(err).startswith("error: query exceeded 1 s time limit")


# -- 2. time limit and row cap --------------------------------------------------------------------
RUNAWAYS = ["MATCH p=(a)-[*1..30]-(b) RETURN count(p)", "MATCH (a)-[*]-(b) RETURN count(*)",
            "MATCH (a)-[*1..5]-(b) RETURN count(*)"]
SLACK_S = 2.0  # scheduling on 2 shared cores; measured end is ~1.0 s for a 1 s limit
STOPPED = re.compile(r"time limit|memory")


@pytest.fixture
def big_buffer(monkeypatch):
    """Readers with the production 256 MB buffer (tests default to 64 MB): a runaway then meets
    the time limit rather than the memory limit."""
    import graph.ladybug_store as L

    monkeypatch.setattr(L, "READ_BUFFER_BYTES", 256 * 1024 * 1024)


def test_set_query_timeout_really_interrupts(ladybug, big_buffer):
    """A CPU-bound runaway (73 s unbounded, measured) stops at the 1 s limit; a 1 s query under a
    generous limit is not cut short."""
    store = open_store("ladybug", ladybug.path)
    try:
        t0 = time.perf_counter()
        with pytest.raises(QueryFailed) as info:
            store.query("MATCH (a)-[*1..5]-(b) RETURN count(*)", timeout_s=1.0)
        took = time.perf_counter() - t0
        assert "exceeded 1 s time limit" in _one_line(str(info.value))
        assert 0.9 <= took <= 1.0 + SLACK_S, took
        t0 = time.perf_counter()
        n = store.query("MATCH (a)-[*1..3]-(b) RETURN count(*)", timeout_s=30).scalar()
        assert n > 1000 and time.perf_counter() - t0 > 0.01  # ran past 10 ms, not interrupted
        assert store.query("RETURN 1").scalar() == 1  # the connection is still usable
    finally:
        store.close()


@pytest.mark.parametrize("cypher", RUNAWAYS)
def test_runaway_ends_within_limit_store_and_cli(ladybug, cypher, capsys):
    store = open_store("ladybug", ladybug.path)
    try:
        t0 = time.perf_counter()
        with pytest.raises(QueryFailed) as info:
            store.query(cypher, timeout_s=1.0)
        assert time.perf_counter() - t0 <= 1.0 + SLACK_S
        assert STOPPED.search(_one_line(str(info.value)))
    finally:
        store.close()
    t0 = time.perf_counter()
    rc = cli.main(["query", cypher, "--timeout", "1", *ladybug.cli_args()])
    took = time.perf_counter() - t0
    out, err = capsys.readouterr()
    assert rc == 1 and out == "" and took <= 1.0 + SLACK_S
    assert _one_line(err).startswith("error: query ") and STOPPED.search(err)


def test_cli_limits_from_flags_and_environment(ladybug, monkeypatch, capsys, big_buffer):
    args = ladybug.cli_args()
    assert cli.main(["query", "UNWIND range(1, 50) AS x RETURN x", "--max-rows", "4",
                     "--format", "csv", *args]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["x", "1", "2", "3", "4"]
    assert "only the first 4 rows" in err and "--max-rows" in err

    monkeypatch.setenv("POLICY_KG_MAX_ROWS", "2")
    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "1")
    assert cli.main(["query", "UNWIND range(1, 50) AS x RETURN x", "--format", "csv", *args]) == 0
    assert capsys.readouterr().out.splitlines() == ["x", "1", "2"]
    t0 = time.perf_counter()
    assert cli.main(["query", "MATCH (a)-[*1..5]-(b) RETURN count(*)", *args]) == 1
    assert time.perf_counter() - t0 <= 1.0 + SLACK_S
    assert "exceeded 1 s time limit" in capsys.readouterr().err
    # a flag wins over the environment
    assert cli.main(["query", "UNWIND range(1, 50) AS x RETURN x", "--max-rows", "3",
                     "--format", "csv", *args]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4

    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "soon")
    assert cli.main(["query", "RETURN 1", *args]) == 1
    assert _one_line(capsys.readouterr().err) == \
        "error: POLICY_KG_QUERY_TIMEOUT: 'soon' is not a number of seconds"
    monkeypatch.delenv("POLICY_KG_QUERY_TIMEOUT")
    for flag, value in (("--timeout", "-1"), ("--timeout", "0"), ("--max-rows", "0"),
                        ("--max-rows", "many")):
        with pytest.raises(SystemExit) as info:  # wrong usage: exit 2
            cli.main(["query", "RETURN 1", flag, value, *args])
        assert info.value.code == 2
        assert flag in capsys.readouterr().err


def test_app_runaway_is_a_message_and_the_session_keeps_working(ladybug, monkeypatch, big_buffer):
    import graph.ladybug_store as L
    import streamlit as st

    st.cache_resource.clear()  # a fresh reader with the 256 MB buffer
    ladybug.env(monkeypatch)
    calls: list[str] = []
    real_query = L.LadybugStore.query

    def counting(self, cypher, *a, **k):
        calls.append(cypher)
        return real_query(self, cypher, *a, **k)

    monkeypatch.setattr(L.LadybugStore, "query", counting)
    console = Console()
    runaway = "MATCH (a)-[*1..5]-(b) RETURN count(*) AS paths"
    t0 = time.perf_counter()
    at = console.run(runaway, timeout_s=1.0)
    took = time.perf_counter() - t0
    (error,) = at.error
    assert "Query failed" in error.value and "exceeded 1 s time limit" in error.value
    _one_line(error.value)
    assert took <= 1.0 + SLACK_S + 2.0  # + the page's own run
    # a plain rerun (any widget) shows the message again without running the runaway again
    n = calls.count(runaway)
    at.run()
    assert calls.count(runaway) == n and "time limit" in texts(at.error)
    # the next query in the same session works
    at = console.run("MATCH (a:Agency) RETURN a.name AS name ORDER BY name LIMIT 3")
    assert not at.error and len(at.dataframe[0].value) == 3
    st.cache_resource.clear()


def test_app_limits_follow_the_environment(ladybug, monkeypatch):
    ladybug.env(monkeypatch)
    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "300")  # above the input's usual 120 s range
    monkeypatch.setenv("POLICY_KG_MAX_ROWS", "7")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["page"] = "cypher"
    at.query_params["query"] = "MATCH (m:Measure) RETURN m.title"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.number_input(key="cy_timeout").value == 300.0
    assert at.number_input(key="cy_max_rows").value == 7
    assert len(at.dataframe[0].value) == 7 and "More than 7 rows" in texts(at.warning)

    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "soon")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["page"] = "cypher"
    at.run()
    assert not at.exception and "soon" in texts(at.warning)
    assert at.number_input(key="cy_timeout").value == 10.0


def test_query_limits_resolution():
    from graph.readonly import query_limits

    assert query_limits(environ={}) == (10.0, 5000)
    assert query_limits(environ={"POLICY_KG_QUERY_TIMEOUT": "2.5", "POLICY_KG_MAX_ROWS": "9"}) \
        == (2.5, 9)
    assert query_limits(1, 2, environ={"POLICY_KG_QUERY_TIMEOUT": "2.5"}) == (1.0, 2)
    for env in ({"POLICY_KG_QUERY_TIMEOUT": "nan"}, {"POLICY_KG_QUERY_TIMEOUT": "-3"},
                {"POLICY_KG_MAX_ROWS": "1.5"}, {"POLICY_KG_MAX_ROWS": "0"}):
        with pytest.raises(StoreError) as info:
            query_limits(environ=env)
        assert next(iter(env)) in str(info.value)


def test_bad_limit_environment_does_not_break_imports():
    env = {**os.environ, "POLICY_KG_QUERY_TIMEOUT": "abc", "POLICY_KG_MAX_ROWS": "-1"}
    proc = subprocess.run([sys.executable, "-c", "import graph.store as s, ui.cypher_console; "
                           "print(s.DEFAULT_TIMEOUT_S, s.DEFAULT_MAX_ROWS)"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["10.0", "5000"]


def test_row_cap_truncates_with_a_note(target):
    res = target.store.query("MATCH (m:Measure) RETURN m.id", max_rows=5)
    assert len(res.rows) == 5 and res.truncated and res.notes[0] == "first 5 rows shown"


# -- 3. user values are parameters ---------------------------------------------------------------
NASTY = [
    "市经信委' OR 1=1 //",
    'a"b',
    "back\\slash",
    "}) MATCH (n) DETACH DELETE n //",
    "$param",
    "市经济信息化委”）'；MATCH (n) DETACH DELETE n；//",
    "'",
    "\\",
    "`",
    "*/ CREATE (:Agency {id: 'agency:intruder'}) /*",
]


@pytest.mark.parametrize("value", NASTY)
def test_query_layer_takes_values_as_parameters(target, value):
    from graph import app_queries as AQ

    s = target.store
    assert s.query("MATCH (a:Agency) WHERE a.name = $v OR a.full_name = $v RETURN count(a)",
                   {"v": value}).scalar() == 0
    with pytest.raises(Q.QueryInputError, match="no agency"):
        Q.resolve_agency_ids(s, value)
    with pytest.raises(Q.QueryInputError):
        Q.responsibility_rows(s, agency=value)
    with pytest.raises(Q.QueryInputError, match="matches"):
        Q.resolve_document_ids(s, value)
    with pytest.raises(Q.QueryInputError, match="no node"):
        Q.neighbourhood(s, value)
    assert AQ.node(s, value) is None and AQ.document_text(s, value) == ""
    for hit in Q.search_nodes(s, value):  # text search: any hit is a real node
        assert AQ.node(s, hit["id"])["id"] == hit["id"]
    assert_unchanged(target)


@pytest.mark.parametrize("value", NASTY)
def test_cli_takes_values_as_parameters(target, value, capsys):
    args = target.cli_args()
    assert cli.main(["query", "MATCH (a:Agency) WHERE a.name = $v RETURN a.name AS name",
                     "--param", f"v={json.dumps(value, ensure_ascii=False)}",
                     "--format", "json", *args]) == 0
    assert json.loads(capsys.readouterr().out) == []
    for option in ("--agency", "--document"):
        rc = cli.main(["export", "responsibilities", option, value, "--format", "json", *args])
        out, err = capsys.readouterr()
        assert rc == 1 and out == ""
        assert _one_line(err).startswith("error: ") and (value in err or repr(value) in err)
    assert_unchanged(target)


class Pages:
    """App sessions reused across the values (one per page, like a user's open tabs)."""

    def __init__(self) -> None:
        self.sessions: dict[str, AppTest] = {}
        self.console = Console()

    def session(self, page: str, **params: str) -> AppTest:
        at = self.sessions.get(page)
        if at is None:
            at = self.sessions[page] = AppTest.from_file(APP, default_timeout=90)
            at.query_params["page"] = page.split(":")[0]
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, (page, [e.message for e in at.exception])
        return at


@pytest.fixture(scope="module")
def pages(consoles) -> dict[str, Pages]:
    return {}


@pytest.mark.parametrize("value", NASTY)
def test_app_pages_take_values_as_parameters(target, value, pages, monkeypatch):
    target.env(monkeypatch)
    app = pages.setdefault(target.backend, Pages())

    at = app.session("agency")  # agency search box
    at.text_input(key="agency_search").input(value)
    at.run()
    assert not at.exception and not at.error and value in texts(at.warning)

    at = app.session("graph")  # graph search box
    at.text_input(key="gx_search").input(value)
    at.run()
    assert not at.exception and not at.error

    for page, key in (("document", "document"), ("graph:node", "node")):  # deep links
        at = app.session(page, **{key: value})
        assert not at.error, (page, texts(at.error))
        assert value in texts(at.warning) or repr(value) in texts(at.warning), page

    at = app.console.run("MATCH (a:Agency) WHERE a.name = $v RETURN a.name",
                         params=json.dumps({"v": value}, ensure_ascii=False))
    assert not at.error and "no rows" in texts(at.warning)
    assert_unchanged(target)


# Modules that run Cypher with user values: none may build Cypher text from values.
AUDITED = ["graph/queries.py", "graph/app_queries.py", "graph/cypher.py", "graph/exports.py",
           "graph/cli.py", *sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "ui").glob("*.py"))]
CYPHER_WORDS = re.compile(r"\b(MATCH|RETURN|WHERE|MERGE|CREATE|UNWIND|CONTAINS)\b")
# cypher.py builds count queries from schema labels/types only
SCHEMA_NAMES = {"nt.label", "rt.name"}


def _formatted_cypher(tree: ast.AST) -> list[tuple[int, str]]:
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            names = {ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)}
            if CYPHER_WORDS.search(text) and not names <= SCHEMA_NAMES:
                bad.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and isinstance(side.value, str) \
                        and CYPHER_WORDS.search(side.value):
                    bad.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "format" and isinstance(node.func.value, ast.Constant) \
                and CYPHER_WORDS.search(str(node.func.value.value)):
            bad.append((node.lineno, ast.unparse(node)))
    return bad


def test_no_cypher_is_built_from_values():
    found = {}
    for rel in AUDITED:
        bad = _formatted_cypher(ast.parse((REPO_ROOT / rel).read_text(encoding="utf-8")))
        if bad:
            found[rel] = bad
    assert found == {}
    # the audit itself finds what it is for
    assert _formatted_cypher(ast.parse('q = f"MATCH (a) WHERE a.name = \'{name}\' RETURN a"'))
    assert _formatted_cypher(ast.parse("q = \"MATCH (a) WHERE a.name = '\" + name + \"'\""))
