"""Tests of the Neo4j backend.

Takes: a fake driver (records every ``(query_text, parameters, access_mode)`` it is sent) for the
unit tests; a real Neo4j server for the tests marked ``needs_neo4j`` (they run only when
``NEO4J_URI`` is set, e.g. against ``docker compose up neo4j``).
Gives: pinned Cypher for schema, batched writes and the single rebuild transaction; the read path
(read-only check, READ access, timeout, row limit); value normalization with the driver's own
graph objects; one-line error messages; the neo4j-admin import files.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import re
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import neo4j
import neo4j.exceptions as nx
import neo4j.time
import pytest

from graph import neo4j_store as ns
from graph.model import Edge, GraphData, Node
from graph.neo4j_import import write_admin_import_csv
from graph.neo4j_store import Neo4jStore
from graph.schema import NODE_TYPES, REL_TYPES
from graph.store import QueryFailed, QueryRefused, StoreError, StoreUnavailable
from tests.conftest import make_record, measure_spec

PASSWORD = "s3cret-Pa55"


# ---------------------------------------------------------------------------------------------
# A fake driver: records what the store sends, answers from a responder function
# ---------------------------------------------------------------------------------------------

@dataclass
class Call:
    text: str
    params: dict[str, Any]
    access_mode: str
    tx: Optional[int]  # transaction-function id; None for an auto-commit session.run
    timeout: Optional[float] = None


class FakeResult:
    def __init__(self, keys: list[str], rows: list[list[Any]]):
        self._keys, self._rows = keys, rows
        self.pulled = 0

    def keys(self) -> list[str]:
        return list(self._keys)

    def __iter__(self):
        for row in self._rows:
            self.pulled += 1
            yield neo4j.Record(zip(self._keys, row))

    def single(self):
        return next(iter(self), None)

    def consume(self):
        return None


class FakeTx:
    def __init__(self, driver: "FakeDriver", mode: str, tx_id: int):
        self.driver, self.mode, self.id = driver, mode, tx_id

    def run(self, query: str, parameters: Optional[dict] = None, **kwargs: Any) -> FakeResult:
        assert isinstance(query, str), "managed transactions take a plain query string"
        return self.driver._run(Call(query, dict(parameters or {}, **kwargs), self.mode, self.id))


class FakeSession:
    def __init__(self, driver: "FakeDriver", config: dict[str, Any]):
        self.driver, self.config = driver, config

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, query: Any, parameters: Optional[dict] = None, **kwargs: Any) -> FakeResult:
        text, timeout = query, None
        if isinstance(query, neo4j.Query):
            text, timeout = query.text, query.timeout
        mode = self.config.get("default_access_mode", neo4j.WRITE_ACCESS)
        return self.driver._run(Call(text, dict(parameters or {}, **kwargs), mode, None, timeout))

    def _execute(self, mode: str, fn: Callable, *args: Any) -> Any:
        tx = FakeTx(self.driver, mode, next(self.driver._tx_ids))
        self.driver.transactions.append((mode, tx.id))
        result = fn(tx, *args)  # an exception propagates: nothing is committed
        self.driver.committed.append(tx.id)
        return result

    def execute_read(self, fn: Callable, *args: Any) -> Any:
        return self._execute(neo4j.READ_ACCESS, fn, *args)

    def execute_write(self, fn: Callable, *args: Any) -> Any:
        return self._execute(neo4j.WRITE_ACCESS, fn, *args)


class FakeDriver:
    def __init__(self, responder: Optional[Callable[[Call], Any]] = None):
        self.responder = responder
        self.calls: list[Call] = []
        self.sessions: list[dict[str, Any]] = []
        self.transactions: list[tuple[str, int]] = []
        self.committed: list[int] = []
        self.results: list[FakeResult] = []
        self.closed = False
        self._tx_ids = itertools.count(1)

    def session(self, **config: Any) -> FakeSession:
        self.sessions.append(config)
        return FakeSession(self, config)

    def _run(self, call: Call) -> FakeResult:
        self.calls.append(call)
        answer = self.responder(call) if self.responder else None
        if isinstance(answer, BaseException):
            raise answer
        keys, rows = answer or ([], [])
        result = FakeResult(keys, rows)
        self.results.append(result)
        return result

    def close(self) -> None:
        self.closed = True


def server_error(code: str, message: str) -> nx.Neo4jError:
    """A driver exception as the driver builds it from a server FAILURE message."""
    return nx.Neo4jError._hydrate_neo4j(code=code, message=message)


def fake_store(responder=None, **kw) -> tuple[Neo4jStore, FakeDriver]:
    driver = FakeDriver(responder)
    return Neo4jStore("bolt://db.example:7687", "neo4j", PASSWORD, driver=driver, **kw), driver


# ---------------------------------------------------------------------------------------------
# A small graph and its records
# ---------------------------------------------------------------------------------------------

def small_records():
    return [
        make_record(
            "a_plan.txt", "上海市促进测试经济发展行动方案（2020-2022年）", "沪府办发〔2020〕1号",
            chapters=(("c1", "一", "聚焦发展重点"),),
            measures=(measure_spec("c1.m1", "1", "打造标杆性无人工厂", "c1", ["市经济信息化委", "市科委"]),),
        )
    ]


def small_graph(n_agencies: int = 5) -> GraphData:
    g = GraphData()
    g.add_node(Node("doc:a", "Document", {
        "title": "上海市促进测试经济发展行动方案（2020-2022年）", "doc_number": "沪府办发〔2020〕1号",
        "source_file": "a_plan.txt", "external": False, "text": "第一行，\n第二行\"引号\"",
    }))
    g.add_node(Node("doc:ext", "Document", {"title": "外部文件", "external": True}))
    g.add_node(Node("ch:a:c1", "Chapter", {"document_id": "doc:a", "number": "一", "seq": 1,
                                           "title": "聚焦发展重点", "source_file": "a_plan.txt"}))
    g.add_node(Node("m:a:c1.m1", "Measure", {"number": "1", "title": "打造标杆性无人工厂",
                                             "level": 1, "source_file": "a_plan.txt"}))
    g.add_node(Node("target:1", "Target", {"metric": "无人工厂", "value": 100, "unit": "家",
                                           "comparator": "=", "year": 2022}))
    for i in range(n_agencies):
        g.add_node(Node(f"agency:{i}", "Agency", {"name": f"机构{i}", "catalogued": True}))
        g.add_edge(Edge(f"agency:{i}", "RESPONSIBLE_FOR", "m:a:c1.m1",
                        {"role": "lead" if i == 0 else "support", "rank": i + 1}))
    g.add_edge(Edge("doc:a", "CONTAINS", "ch:a:c1", {"seq": 1}))
    g.add_edge(Edge("ch:a:c1", "CONTAINS", "m:a:c1.m1", {"seq": 1}))
    g.add_edge(Edge("m:a:c1.m1", "SETS", "target:1"))
    g.add_edge(Edge("doc:a", "CITES", "doc:ext", {"relation": "cites"}))
    return g


# ---------------------------------------------------------------------------------------------
# Cypher generated from the schema (pinned)
# ---------------------------------------------------------------------------------------------

def test_schema_statements_are_pinned_and_idempotent():
    stmts = ns.schema_statements()
    constraints = [s for s in stmts if s.startswith("CREATE CONSTRAINT")]
    assert constraints[0] == (
        "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE"
    )
    assert len(constraints) == len(NODE_TYPES)
    for t in NODE_TYPES:
        assert f"FOR (n:{t.label}) REQUIRE n.id IS UNIQUE" in " ".join(constraints)
    assert "CREATE INDEX agency_name IF NOT EXISTS FOR (n:Agency) ON (n.name)" in stmts
    assert "CREATE INDEX measure_number IF NOT EXISTS FOR (n:Measure) ON (n.number)" in stmts
    assert "CREATE INDEX document_doc_number IF NOT EXISTS FOR (n:Document) ON (n.doc_number)" in stmts
    expected_indexes = {
        (t.label, p) for t in NODE_TYPES for p in ns.INDEXED_PROPERTIES if p in t.property_names
    }
    assert len(stmts) == len(NODE_TYPES) + len(expected_indexes)
    assert all("IF NOT EXISTS" in s for s in stmts)
    assert stmts == ns.schema_statements()  # deterministic


def test_write_queries_are_pinned():
    assert ns.node_merge_query("Agency") == (
        "UNWIND $rows AS row MERGE (n:Agency {id: row.id}) SET n += row.props"
    )
    assert ns.rel_merge_query("RESPONSIBLE_FOR", "Agency", "Measure") == (
        "UNWIND $rows AS row MATCH (a:Agency {id: row.source}) MATCH (b:Measure {id: row.target}) "
        "MERGE (a)-[r:RESPONSIBLE_FOR]->(b) SET r += row.props"
    )
    assert ns.delete_graph_query() == (
        "MATCH (n:" + "|".join(t.label for t in NODE_TYPES) + ") DETACH DELETE n"
    )


def test_names_are_validated_before_they_reach_cypher():
    with pytest.raises(ValueError, match="unsafe Cypher name"):
        ns.node_merge_query("Agency) DETACH DELETE (x")


# ---------------------------------------------------------------------------------------------
# Rebuild: schema first, then one write transaction with batched UNWIND queries
# ---------------------------------------------------------------------------------------------

def test_rebuild_batches_rows_in_one_write_transaction():
    store, driver = fake_store(batch_size=2)
    graph = small_graph(n_agencies=5)
    store.rebuild(graph, small_records())

    schema_calls = [c for c in driver.calls if c.tx is None]
    assert [c.text for c in schema_calls] == ns.schema_statements()
    assert {c.access_mode for c in schema_calls} == {neo4j.WRITE_ACCESS}

    assert driver.transactions == [(neo4j.WRITE_ACCESS, 1)] and driver.committed == [1]
    data_calls = [c for c in driver.calls if c.tx is not None]
    assert {c.tx for c in data_calls} == {1}
    assert data_calls[0].text == ns.delete_graph_query()
    store.exists()  # a later read shares the bookmarks of the rebuild (causal consistency)
    managers = {id(cfg["bookmark_manager"]) for cfg in driver.sessions}
    assert len(managers) == 1 and driver.sessions[0]["bookmark_manager"] is not None

    agency_calls = [c for c in data_calls if c.text == ns.node_merge_query("Agency")]
    assert len(agency_calls) == math.ceil(5 / 2) == 3
    assert [len(c.params["rows"]) for c in agency_calls] == [2, 2, 1]
    resp = [c for c in data_calls
            if c.text == ns.rel_merge_query("RESPONSIBLE_FOR", "Agency", "Measure")]
    assert sum(len(c.params["rows"]) for c in resp) == 5 and len(resp) == 3
    assert resp[0].params["rows"][0] == {
        "source": "agency:0", "target": "m:a:c1.m1", "props": {"role": "lead", "rank": 1}
    }
    # one query per (type, from, to): CONTAINS has two label pairs here
    assert ns.rel_merge_query("CONTAINS", "Document", "Chapter") in [c.text for c in data_calls]
    assert ns.rel_merge_query("CONTAINS", "Chapter", "Measure") in [c.text for c in data_calls]

    # every node and edge is written exactly once
    written_nodes = sum(len(c.params["rows"]) for c in data_calls if "MERGE (n:" in c.text)
    written_rels = sum(len(c.params["rows"]) for c in data_calls if "MERGE (a)-[r:" in c.text)
    assert written_nodes == len(graph.nodes) and written_rels == len(graph.edges)


def test_streamed_write_sends_what_one_rebuild_sends():
    """write() of a streamed build (a part per document, then the shared part) merges the
    batches and sends exactly the queries of one rebuild of the merged graph."""
    from graph.model import GraphBatch

    graph, records = small_graph(n_agencies=3), small_records()
    whole_store, whole = fake_store()
    whole_store.rebuild(graph, records)
    shared = GraphData(nodes={i: n for i, n in graph.nodes.items() if n.label == "Agency"})
    part = GraphData(nodes={i: n for i, n in graph.nodes.items() if n.label != "Agency"},
                     edges=dict(graph.edges), refs={i: "Agency" for i in shared.nodes})
    streamed_store, streamed = fake_store()
    counts = streamed_store.write(iter([GraphBatch(part, records), GraphBatch(shared)]))
    assert counts == {k: v for k, v in graph.counts().items() if v}

    def sent(driver):
        return sorted((c.text, repr(c.params)) for c in driver.calls if c.tx is not None)

    assert sent(streamed) == sent(whole)


def test_rebuild_coerces_properties_to_schema_types_and_drops_unknown_ones():
    store, driver = fake_store()
    g = GraphData()
    g.add_node(Node("target:1", "Target", {"metric": "m", "value": 5, "year": "2025",
                                           "unit": None, "not_in_schema": 1}))
    store.rebuild(g, [])
    (call,) = [c for c in driver.calls if c.text == ns.node_merge_query("Target")]
    assert call.params["rows"] == [{"id": "target:1",
                                    "props": {"metric": "m", "value": 5.0, "year": 2025}}]
    assert isinstance(call.params["rows"][0]["props"]["value"], float)


def test_rebuild_stores_records_on_their_document_node():
    store, driver = fake_store()
    records = small_records()
    store.rebuild(small_graph(), records)
    (call,) = [c for c in driver.calls if c.text == ns.STORE_RECORDS_QUERY]
    assert call.tx == 1  # same transaction as the graph
    (row,) = call.params["rows"]
    assert row["source_file"] == "a_plan.txt"
    assert ns.record_from_json(row["json"]) == records[0]
    assert "打造标杆性无人工厂" in row["json"]  # not ASCII-escaped


def test_load_records_round_trip_through_the_fake_server():
    records = small_records()
    stored: list[str] = []

    def responder(call: Call):
        if call.text == ns.STORE_RECORDS_QUERY:
            stored.extend(r["json"] for r in call.params["rows"])
        if call.text == ns.LOAD_RECORDS_QUERY:
            return ["json"], [[j] for j in stored]
        return None

    store, driver = fake_store(responder)
    store.rebuild(small_graph(), records)
    assert store.load_records() == records
    load = [c for c in driver.calls if c.text == ns.LOAD_RECORDS_QUERY]
    assert load[0].access_mode == neo4j.READ_ACCESS


def test_rebuild_writes_everything_graph_build_produces(sample_records, sample_graph):
    store, driver = fake_store(batch_size=7)
    store.rebuild(sample_graph, sample_records)
    data = [c for c in driver.calls if c.tx is not None]
    assert {c.tx for c in data} == {1} and driver.committed == [1]
    nodes = [r for c in data if "MERGE (n:" in c.text for r in c.params["rows"]]
    rels = [r for c in data if "MERGE (a)-[r:" in c.text for r in c.params["rows"]]
    assert sorted(r["id"] for r in nodes) == sorted(sample_graph.nodes)
    assert len(rels) == len(sample_graph.edges)
    stored = [r for c in data if c.text == ns.STORE_RECORDS_QUERY for r in c.params["rows"]]
    assert sorted(r["source_file"] for r in stored) == sorted(r.source_file for r in sample_records)
    assert all(len(c.params["rows"]) <= 7 for c in data if "rows" in c.params)


def test_invalid_graph_is_refused_before_anything_is_sent():
    store, driver = fake_store()
    g = small_graph()
    g.add_edge(Edge("target:1", "CONTAINS", "doc:a"))  # (Target)->(Document) is not in the schema
    with pytest.raises(StoreError, match=r"CONTAINS edge 'target:1' -> 'doc:a'.*not allowed"):
        store.rebuild(g, [])
    assert driver.calls == []


def test_failure_inside_the_transaction_commits_nothing_and_says_so():
    def responder(call: Call):
        if call.text == ns.node_merge_query("Agency") and call.params["rows"][0]["id"] == "agency:2":
            return server_error("Neo.ClientError.Schema.ConstraintValidationFailed",
                                "Node(1) already exists with label `Agency` and property `id`")
        return None

    store, driver = fake_store(responder, batch_size=2)
    with pytest.raises(StoreError) as info:
        store.rebuild(small_graph(n_agencies=5), [])
    msg = str(info.value)
    assert msg.startswith("rebuild on Neo4j at bolt://db.example:7687 failed, previous graph kept")
    assert "\n" not in msg and PASSWORD not in msg
    assert driver.transactions and driver.committed == []


def test_exists_and_snapshot_read_in_read_transactions():
    def responder(call: Call):
        if call.text == ns.EXISTS_QUERY:
            return ["built"], [[True]]
        if call.text == ns.snapshot_nodes_query("Agency"):
            return ["id", "props"], [["agency:0", {"id": "agency:0", "name": "市科委",
                                                   "record_json": "{}", "extra": 1}]]
        if call.text == ns.snapshot_nodes_query("Measure"):
            return ["id", "props"], [["m1", {"id": "m1", "title": "标题"}]]
        if call.text == ns.snapshot_rels_query("RESPONSIBLE_FOR"):
            return ["source", "target", "props"], [["agency:0", "m1", {"role": "lead", "rank": 1}]]
        return None

    store, driver = fake_store(responder)
    assert store.exists() is True
    snap = store.snapshot()
    assert snap.nodes["agency:0"] == Node("agency:0", "Agency")
    assert snap.nodes["agency:0"].properties == {"name": "市科委"}
    assert snap.edges[("agency:0", "RESPONSIBLE_FOR", "m1")].properties == {"role": "lead", "rank": 1}
    assert {c.access_mode for c in driver.calls} == {neo4j.READ_ACCESS}
    snapshot_txs = {c.tx for c in driver.calls if c.text != ns.EXISTS_QUERY}
    assert len(snapshot_txs) == 1  # one consistent read transaction
    assert len([c for c in driver.calls if "properties(n)" in c.text]) == len(NODE_TYPES)
    assert len([c for c in driver.calls if "properties(r)" in c.text]) == len(REL_TYPES)


# ---------------------------------------------------------------------------------------------
# User queries: read-only check, READ session, timeout, row limit
# ---------------------------------------------------------------------------------------------

def test_query_runs_in_a_read_session_with_timeout_and_parameters():
    def responder(call: Call):
        return ["name", "n"], [["市科委", 3]]

    store, driver = fake_store(responder)
    res = store.query("MATCH (a:Agency {name: $name}) RETURN a.name AS name, 3 AS n",
                      {"name": "市科委"}, timeout_s=2.5, max_rows=100)
    (call,) = driver.calls
    assert call.access_mode == neo4j.READ_ACCESS and call.tx is None
    assert call.timeout == 2.5
    assert call.params == {"name": "市科委"}
    assert driver.sessions[-1]["default_access_mode"] == neo4j.READ_ACCESS
    assert driver.sessions[-1]["fetch_size"] == 101
    assert res.columns == ["name", "n"] and res.rows == [["市科委", 3]]
    assert res.truncated is False


def test_query_fetches_at_most_max_rows_plus_one():
    store, driver = fake_store(lambda call: (["i"], [[i] for i in range(50)]))
    res = store.query("UNWIND range(0, 49) AS i RETURN i", max_rows=3)
    assert res.rows == [[0], [1], [2]] and res.truncated is True
    assert driver.results[0].pulled == 4
    assert res.notes[0] == "first 3 rows shown"


@pytest.mark.parametrize("cypher", [
    "CREATE (n:Agency {id: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Agency) SET n.name = 'x'",
    "MATCH (n) RETURN n; MATCH (m) DELETE m",
    "LOAD CSV FROM 'file:///x.csv' AS row RETURN row",
])
def test_writes_are_refused_before_reaching_the_driver(cypher):
    store, driver = fake_store()
    with pytest.raises(QueryRefused):
        store.query(cypher)
    assert driver.calls == [] and driver.sessions == []


def test_server_side_write_refusal_becomes_query_refused():
    store, _ = fake_store(lambda call: server_error(
        "Neo.ClientError.Statement.AccessMode",
        "Writing in read access mode not allowed. Attempted write to internal graph 0 (neo4j)"))
    with pytest.raises(QueryRefused, match="read-only"):
        store.query("MATCH (n) RETURN n")


def test_timeout_becomes_a_clear_query_failed():
    store, _ = fake_store(lambda call: server_error(
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "The transaction has been terminated. Retry your operation in a new transaction, "
        "and you should see a successful result. The transaction has not completed within "
        "the timeout specified at its start by the client."))
    with pytest.raises(QueryFailed) as info:
        store.query("MATCH (a)-[*]-(b) RETURN count(*)", timeout_s=2)
    assert str(info.value).startswith("query exceeded 2 s time limit")


def test_syntax_error_is_one_line():
    store, _ = fake_store(lambda call: server_error(
        "Neo.ClientError.Statement.SyntaxError",
        "Invalid input 'RETRN': expected 'RETURN' (line 1, column 11 (offset: 10))\n"
        "\"MATCH (n) RETRN n\"\n           ^"))
    with pytest.raises(QueryFailed) as info:
        store.query("MATCH (n) RETRN n")
    msg = str(info.value)
    assert msg.startswith("Neo4j rejected the query: Invalid input 'RETRN'") and "\n" not in msg


def test_named_ladybug_spellings_are_rewritten_for_neo4j():
    store, driver = fake_store()
    store.query("MATCH (a:Agency)-[r]->(m) RETURN label(m) AS l, label(r) AS t, count(*) AS n")
    assert driver.calls[0].text == (
        "MATCH (a:Agency)-[r]->(m) RETURN labels(m)[0] AS l, type(r) AS t, count(*) AS n"
    )


@pytest.mark.parametrize("ladybug, neo", [
    ("MATCH (n) RETURN label(n)", "MATCH (n) RETURN labels(n)[0]"),
    ("MATCH (m:Measure) RETURN m.label, 'label(x)'", "MATCH (m:Measure) RETURN m.label, 'label(x)'"),
    ("MATCH p=(a)-[r:CONTAINS]->(b) RETURN rels(p)", "MATCH p=(a)-[r:CONTAINS]->(b) RETURN relationships(p)"),
    ("MATCH (t:Target) RETURN string(t.year)", "MATCH (t:Target) RETURN toString(t.year)"),
    ("MATCH p = (a:Agency {name: $a})-[* SHORTEST 1..5]-(b:Agency {name: $b}) RETURN p",
     "MATCH p = shortestPath((a:Agency {name: $a})-[*1..5]-(b:Agency {name: $b})) RETURN p"),
    ("MATCH p = (a)-[e:CONTINUES* ALL SHORTEST 1..3]->(b) RETURN p",
     "MATCH p = allShortestPaths((a)-[e:CONTINUES*1..3]->(b)) RETURN p"),
    ("MATCH p = shortestPath((a)-[*..5]-(b)) RETURN p", "MATCH p = shortestPath((a)-[*..5]-(b)) RETURN p"),
    ("RETURN labels(n) // label(n)", "RETURN labels(n) // label(n)"),
])
def test_to_neo4j_dialect(ladybug, neo):
    assert ns.to_neo4j_dialect(ladybug) == neo


_LADYBUG_ONLY = re.compile(
    r"\blabel\s*\(|SHORTEST|\blist_\w+\s*\(|(?<![\w.])string\s*\(|\brels\s*\(", re.IGNORECASE)


def _named_queries() -> list[tuple[str, str]]:
    """Every Cypher text of the shared query modules (those present), by a readable name."""
    import importlib

    out: list[tuple[str, str]] = []
    for module_name in ("graph.cypher", "graph.app_queries"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue
            if isinstance(value, str) and "MATCH" in value:
                out.append((f"{module_name}.{name}", value))
            elif isinstance(value, dict):
                out += [(f"{module_name}.{name}[{k}]", v) for k, v in value.items()
                        if isinstance(v, str) and "MATCH" in v]
            elif isinstance(value, tuple):
                out += [(f"{module_name}.{name}[{getattr(v, 'name', i)}]", v.cypher)
                        for i, v in enumerate(value) if isinstance(getattr(v, "cypher", None), str)]
    return out


def test_every_named_query_is_sent_to_neo4j_in_neo4j_dialect():
    queries = _named_queries()
    if not queries:
        pytest.skip("graph.cypher / graph.app_queries not present")
    from graph.readonly import ensure_read_only

    for name, cypher in queries:
        ensure_read_only(cypher)
        sent = ns.to_neo4j_dialect(cypher)
        assert not _LADYBUG_ONLY.search(sent), f"{name} still has LadybugDB-only syntax: {sent}"
        store, driver = fake_store()
        store.query(cypher, {})
        assert driver.calls[0].access_mode == neo4j.READ_ACCESS, name


# ---------------------------------------------------------------------------------------------
# Value normalization, with the driver's own graph objects
# ---------------------------------------------------------------------------------------------

def _hydrator():
    try:
        from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator
    except ImportError:  # pragma: no cover - driver internals moved
        pytest.skip("neo4j driver hydration internals not available")
    return _GraphHydrator()


def test_nodes_relationships_paths_and_temporals_are_normalized():
    h = _hydrator()
    agency = h.hydrate_node(1, ["Agency"], {"id": "agency:kw", "name": "市科委"}, "4:db:1")
    doc = h.hydrate_node(2, ["Document"], {"id": "doc:a", "title": "方案",
                                            "record_json": "{...}"}, "4:db:2")
    measure = h.hydrate_node(3, ["Measure"], {"id": "m1", "number": "1"}, "4:db:3")
    rel = h.hydrate_relationship(7, 1, 3, "RESPONSIBLE_FOR", {"role": "lead", "rank": 1},
                                 "5:db:7", "4:db:1", "4:db:3")
    path = h.hydrate_path([agency, measure], [h.hydrate_unbound_relationship(
        7, "RESPONSIBLE_FOR", {"role": "lead", "rank": 1}, "5:db:7")], [1, 1])

    assert ns.normalize_value(agency) == {"_kind": "node", "_label": "Agency", "id": "agency:kw",
                                          "name": "市科委"}
    assert ns.normalize_value(doc) == {"_kind": "node", "_label": "Document", "id": "doc:a",
                                       "title": "方案"}  # record_json is hidden
    assert ns.normalize_value(rel) == {"_kind": "rel", "_type": "RESPONSIBLE_FOR",
                                       "_source": "agency:kw", "_target": "m1",
                                       "role": "lead", "rank": 1}
    norm_path = ns.normalize_value(path)
    assert norm_path["_kind"] == "path"
    assert [n["id"] for n in norm_path["nodes"]] == ["agency:kw", "m1"]
    assert norm_path["rels"][0]["_source"] == "agency:kw" and norm_path["rels"][0]["_target"] == "m1"
    assert ns.normalize_value([neo4j.time.Date(2020, 4, 8), {"at": neo4j.time.DateTime(2020, 4, 8, 9, 30)},
                               neo4j.time.Duration(days=1)]) == [
        "2020-04-08", {"at": "2020-04-08T09:30:00"}, "P1D"]


def test_query_rows_are_normalized():
    h = _hydrator()
    agency = h.hydrate_node(1, ["Agency"], {"id": "agency:kw", "name": "市科委"}, "4:db:1")
    store, _ = fake_store(lambda call: (["a", "names"], [[agency, ["x", "y"]]]))
    res = store.query("MATCH (a:Agency) RETURN a, ['x', 'y'] AS names")
    assert res.records() == [{"a": {"_kind": "node", "_label": "Agency", "id": "agency:kw",
                                    "name": "市科委"}, "names": ["x", "y"]}]


# ---------------------------------------------------------------------------------------------
# Connection errors: one line, naming the URI, never the password
# ---------------------------------------------------------------------------------------------

def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_one_line_unavailable(exc: BaseException, uri: str) -> None:
    msg = str(exc)
    assert isinstance(exc, StoreUnavailable)
    assert msg.startswith(f"Neo4j at {uri} is unreachable: "), msg
    assert "\n" not in msg and "Traceback" not in msg and PASSWORD not in msg


def test_unreachable_server_is_one_line_naming_the_uri():
    uri = f"bolt://127.0.0.1:{_unused_port()}"
    store = Neo4jStore(uri, "neo4j", PASSWORD, connection_timeout_s=3)
    try:
        for action in (lambda: store.query("RETURN 1"), store.exists,
                       lambda: store.rebuild(small_graph(), [])):
            with pytest.raises(StoreUnavailable) as info:
                action()
            _assert_one_line_unavailable(info.value, uri)
            assert str(info.value).endswith("is unreachable: Connection refused")
    finally:
        store.close()


def test_wrong_uri_scheme_is_one_line():
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore("http://localhost:7474", "neo4j", PASSWORD)
    _assert_one_line_unavailable(info.value, "http://localhost:7474")
    assert "bolt://" in str(info.value)


def test_auth_failure_names_the_variables_not_the_password():
    store, _ = fake_store(lambda call: server_error(
        "Neo.ClientError.Security.Unauthorized",
        "The client is unauthorized due to authentication failure."))
    with pytest.raises(StoreUnavailable) as info:
        store.query("RETURN 1")
    _assert_one_line_unavailable(info.value, "bolt://db.example:7687")
    assert "NEO4J_PASSWORD" in str(info.value)


def test_credentials_in_the_uri_are_not_shown():
    assert ns.redact_uri("neo4j+s://neo4j:pw@abc.databases.neo4j.io") == "neo4j+s://abc.databases.neo4j.io"
    err = ns.translate_error(nx.ServiceUnavailable(f"cannot reach, pw={PASSWORD}"),
                             "bolt://u:pw@h:7687", password=PASSWORD)
    assert str(err) == "Neo4j at bolt://h:7687 is unreachable: cannot reach, pw=***"


def test_from_env_requires_a_password_and_has_defaults():
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore.from_env({"NEO4J_URI": "bolt://localhost:7687"})
    msg = str(info.value)
    assert msg.startswith("NEO4J_PASSWORD is not set") and "\n" not in msg
    store = Neo4jStore.from_env({"NEO4J_PASSWORD": PASSWORD})
    assert (store.uri, store.user, store.database) == ("bolt://localhost:7687", "neo4j", None)
    assert PASSWORD not in repr(store)
    store = Neo4jStore.from_env({"NEO4J_PASSWORD": PASSWORD, "NEO4J_URI": "neo4j+s://x.databases.neo4j.io",
                                 "NEO4J_USER": "reader", "NEO4J_DATABASE": "policy",
                                 "POLICY_KG_NEO4J_BATCH_SIZE": "500"})
    assert (store.uri, store.user, store.database, store.batch_size) == (
        "neo4j+s://x.databases.neo4j.io", "reader", "policy", 500)


def test_open_store_maps_neo4j_backend(monkeypatch):
    from graph.store import open_store

    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD is not set"):
        open_store("neo4j")


# ---------------------------------------------------------------------------------------------
# export neo4j: neo4j-admin import files
# ---------------------------------------------------------------------------------------------

def test_admin_import_files(tmp_path: Path):
    graph = small_graph(n_agencies=2)
    records = small_records()
    paths = write_admin_import_csv(graph, tmp_path, records)
    names = [p.name for p in paths]
    assert "nodes_Document.csv" in names and "rels_RESPONSIBLE_FOR.csv" in names
    assert names[-2:] == ["schema.cypher", "import.sh"]
    assert "nodes_Sector.csv" not in names  # no rows, no file

    with (tmp_path / "nodes_Document.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[0] == "id:ID" and header[-1] == ":LABEL"
    assert "title:string" in header and "external:boolean" in header
    assert header[-2] == "record_json:string"
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_id["doc:a"]["text:string"] == "第一行，\n第二行\"引号\""  # quoting round-trips
    assert by_id["doc:a"]["external:boolean"] == "false"
    assert by_id["doc:ext"]["external:boolean"] == "true"
    assert by_id["doc:ext"]["record_json:string"] == ""
    assert ns.record_from_json(by_id["doc:a"]["record_json:string"]) == records[0]
    assert by_id["doc:a"][":LABEL"] == "Document"

    with (tmp_path / "nodes_Target.csv").open(encoding="utf-8", newline="") as fh:
        header, row = list(csv.reader(fh))
    assert header == ["id:ID", "metric:string", "value:double", "unit:string", "comparator:string",
                      "year:long", "text:string", "source_file:string", "line:long", ":LABEL"]
    assert row[:6] == ["target:1", "无人工厂", "100.0", "家", "=", "2022"] and row[6] == ""

    with (tmp_path / "rels_RESPONSIBLE_FOR.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == [":START_ID", ":END_ID", "role:string", "rank:long"]
    assert rows[0][-1] == ":TYPE"
    assert rows[1][:4] == ["agency:0", "m:a:c1.m1", "lead", "1"] and rows[1][-1] == "RESPONSIBLE_FOR"

    script = (tmp_path / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script
    assert "--multiline-fields=true" in script
    for p in paths:
        if p.suffix == ".csv":
            flag = "--nodes" if p.name.startswith("nodes_") else "--relationships"
            assert f'{flag}="$DIR/{p.name}"' in script
    assert os.access(tmp_path / "import.sh", os.X_OK)
    assert (tmp_path / "schema.cypher").read_text(encoding="utf-8").splitlines() == [
        s + ";" for s in ns.schema_statements()]


def test_admin_import_covers_every_node_and_edge(tmp_path: Path):
    graph = small_graph(n_agencies=3)
    write_admin_import_csv(graph, tmp_path)
    n_nodes = n_rels = 0
    for p in tmp_path.glob("*.csv"):
        with p.open(encoding="utf-8", newline="") as fh:
            count = sum(1 for _ in csv.reader(fh)) - 1
        if p.name.startswith("nodes_"):
            n_nodes += count
        else:
            n_rels += count
    assert (n_nodes, n_rels) == (len(graph.nodes), len(graph.edges))


# ---------------------------------------------------------------------------------------------
# Against a real server (docker compose up neo4j; NEO4J_URI=bolt://localhost:7687 …)
# ---------------------------------------------------------------------------------------------

_skip_without_server = pytest.mark.skipif(
    not os.environ.get("NEO4J_URI"),
    reason="NEO4J_URI not set: no Neo4j server here; these run against docker compose",
)


def needs_neo4j(fn):
    return pytest.mark.neo4j(_skip_without_server(fn))


@pytest.fixture
def server_store():
    store = Neo4jStore.from_env()
    yield store
    store.close()


@needs_neo4j
def test_server_rebuild_query_and_records(server_store):
    graph, records = small_graph(n_agencies=3), small_records()
    server_store.rebuild(graph, records)
    assert server_store.exists()
    assert server_store.query("MATCH (n:Agency) RETURN count(n) AS n").scalar() == 3
    assert server_store.query("MATCH (n) RETURN count(n)").scalar() == len(graph.nodes)
    res = server_store.query(
        "MATCH (a:Agency)-[r:RESPONSIBLE_FOR {role: $role}]->(m:Measure) RETURN a, r, m.title AS t",
        {"role": "lead"})
    (row,) = res.records()
    assert row["a"] == {"_kind": "node", "_label": "Agency", "id": "agency:0", "name": "机构0",
                        "catalogued": True}
    assert row["r"] == {"_kind": "rel", "_type": "RESPONSIBLE_FOR", "_source": "agency:0",
                        "_target": "m:a:c1.m1", "role": "lead", "rank": 1}
    assert row["t"] == "打造标杆性无人工厂"
    labels = server_store.query("MATCH (n) RETURN label(n) AS l, count(*) AS c ORDER BY l").rows
    assert dict((l, c) for l, c in labels) == {"Agency": 3, "Chapter": 1, "Document": 2,
                                               "Measure": 1, "Target": 1}
    assert server_store.load_records() == records
    snap = server_store.snapshot()
    assert snap.counts() == graph.counts()
    assert snap.nodes["doc:a"].properties["text"] == "第一行，\n第二行\"引号\""
    assert snap.nodes["target:1"].properties["value"] == 100.0


@needs_neo4j
def test_server_rebuild_is_idempotent_and_replaces(server_store):
    server_store.rebuild(small_graph(n_agencies=4), [])
    server_store.rebuild(small_graph(n_agencies=2), [])
    assert server_store.query("MATCH (n:Agency) RETURN count(n)").scalar() == 2
    assert server_store.load_records() == []


@needs_neo4j
def test_server_failed_rebuild_keeps_previous_graph(server_store, monkeypatch):
    server_store.rebuild(small_graph(n_agencies=2), small_records())
    monkeypatch.setattr(ns, "rel_merge_query", lambda *a: "THIS IS NOT CYPHER")
    with pytest.raises(StoreError, match="previous graph kept"):
        server_store.rebuild(small_graph(n_agencies=5), [])
    assert server_store.query("MATCH (n:Agency) RETURN count(n)").scalar() == 2
    assert server_store.load_records() == small_records()


@needs_neo4j
def test_server_refuses_writes_even_past_the_pattern_check(server_store, monkeypatch):
    server_store.rebuild(small_graph(), [])
    with pytest.raises(QueryRefused):
        server_store.query("CREATE (n:Agency {id: 'x'})")
    monkeypatch.setattr(ns, "ensure_read_only", lambda cypher: None)
    with pytest.raises(QueryRefused, match="read-only"):
        server_store.query("CREATE (n:Agency {id: $id})", {"id": f"probe-{uuid.uuid4()}"})
    assert server_store.query("MATCH (n:Agency) WHERE n.id STARTS WITH 'probe-' RETURN count(n)").scalar() == 0


@needs_neo4j
def test_server_timeout_and_row_limit(server_store):
    with pytest.raises(QueryFailed, match="exceeded 0.5 s time limit"):
        server_store.query(
            "UNWIND range(1, 100000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i)", timeout_s=0.5)
    res = server_store.query("UNWIND range(1, 100) AS i RETURN i", max_rows=10)
    assert len(res.rows) == 10 and res.truncated


@needs_neo4j
def test_server_syntax_error_is_query_failed(server_store):
    with pytest.raises(QueryFailed) as info:
        server_store.query("MATCH (n) RETRN n")
    assert "\n" not in str(info.value)
