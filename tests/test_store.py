"""GraphStore contract, one test body for every backend (LadybugDB always; Neo4j when NEO4J_URI is set).

Backend-neutral: rebuild + counts, stable ids, identical snapshots, a failed rebuild keeps the
previous graph, read-only refusal (store and engine level), timeout, row cap, records round-trip.
LadybugDB-only tests (versions, locks, a killed build) are at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from graph.build import build_graph, document_id
from graph.model import Edge, GraphData
from graph.store import QueryFailed, QueryRefused, StoreError, StoreUnavailable, open_store
from tests.conftest import REPO_ROOT, FakeGazetteer, make_record, sample_records_list

SLOW_QUERY = ("UNWIND range(1, 10000) AS a UNWIND range(1, 10000) AS b "
              "WITH a, b WHERE (a * b) % 7 = 3 RETURN count(*) AS n")


@pytest.fixture(params=["ladybug", "neo4j"])
def make_store(request, tmp_path):
    """A factory of empty stores of one backend (each call: a fresh one)."""
    backend = request.param
    opened = []
    if backend == "neo4j" and not os.environ.get("NEO4J_URI"):
        pytest.skip("neo4j backend: set NEO4J_URI (and NEO4J_USER/NEO4J_PASSWORD) to a test server")

    def factory(name: str = "store"):
        store = open_store(backend, str(tmp_path / name))
        opened.append(store)
        return store

    yield factory
    for s in opened:
        s.close()


def _plain(g: GraphData):
    """Nodes and edges with null properties dropped (stores do not keep nulls)."""
    nodes = {i: (n.label, {k: v for k, v in n.properties.items() if v is not None})
             for i, n in g.nodes.items()}
    edges = {k: {p: v for p, v in e.properties.items() if v is not None} for k, e in g.edges.items()}
    return nodes, edges


@pytest.fixture
def graph_and_records():
    recs = sample_records_list()
    return build_graph(recs, FakeGazetteer()), recs


def test_rebuild_then_query_counts(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    assert not store.exists()
    store.rebuild(g, recs)
    assert store.exists()
    counts = g.counts()
    for label in ("Document", "Measure", "Agency", "Place", "Sector", "Target", "Chapter"):
        n = store.query(f"MATCH (n:{label}) RETURN count(n) AS n").scalar()
        assert n == counts[label], label
    n = store.query("MATCH (:Agency)-[r:RESPONSIBLE_FOR]->(:Measure) RETURN count(r)").scalar()
    assert n == counts["RESPONSIBLE_FOR"]
    res = store.query(
        "MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) WHERE a.name = $name AND r.role = $role "
        "RETURN m.title AS title ORDER BY title", {"name": "市经济信息化委", "role": "lead"})
    assert res.columns == ["title"]
    assert [r[0] for r in res.rows] == ["加大总部型企业支持力度", "加快发展工业互联网", "打造标杆性无人工厂"]


def test_results_are_normalized(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    res = store.query("MATCH p = (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) "
                      "WHERE a.name = '市科委' AND m.number = '1' RETURN a, r, m, p")
    a, r, m, p = res.rows[0]
    assert a["_kind"] == "node" and a["_label"] == "Agency" and a["id"] == "agency:市科委"
    assert r["_kind"] == "rel" and r["_type"] == "RESPONSIBLE_FOR"
    assert r["_source"] == a["id"] and r["_target"] == m["id"]
    assert r["role"] == "support" and r["rank"] == 3
    assert p["_kind"] == "path" and [n["id"] for n in p["nodes"]] == [a["id"], m["id"]]
    # a relationship alone (its end nodes not returned) still names them by id
    (rel,) = store.query("MATCH (:Place)-[w:WITHIN]->(q:Place) WHERE q.id = 'place:jiading' "
                         "AND w IS NOT NULL RETURN w LIMIT 1").rows[0]
    assert rel["_target"] == "place:jiading" and rel["_source"].startswith("place:")


def test_ids_stable_across_builds_and_snapshot_identical(make_store, graph_and_records):
    g, recs = graph_and_records
    s1, s2 = make_store("one"), make_store("two")
    s1.rebuild(g, recs)
    shuffled = list(reversed(sample_records_list()))
    s2.rebuild(build_graph(shuffled, FakeGazetteer()), shuffled)
    snap1, snap2 = s1.snapshot(), s2.snapshot()
    assert _plain(snap1) == _plain(snap2)
    assert _plain(snap1) == _plain(g)
    s1.rebuild(g, recs)  # rebuilding again gives the same snapshot
    assert _plain(s1.snapshot()) == _plain(snap1)


def test_failed_rebuild_keeps_previous_graph(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    before = _plain(store.snapshot())
    bad = GraphData.from_parts(g.nodes.values(), g.edges.values())
    bad.add_edge(Edge("agency:市科委", "RESPONSIBLE_FOR", "doc:missing/m1", {"role": "lead"}))
    with pytest.raises(StoreError):
        store.rebuild(bad, recs[:1])
    assert _plain(store.snapshot()) == before
    assert len(store.load_records()) == len(recs)
    assert store.query("MATCH (d:Document) RETURN count(d)").scalar() == g.counts()["Document"]


def test_writes_refused_via_store(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    for q in ("CREATE (:Agency {id: 'x'})", "MATCH (n) DETACH DELETE n",
              "MATCH (a:Agency) SET a.name = 'x'", "MATCH (n) RETURN n; CREATE (m:Agency {id: 'y'})"):
        with pytest.raises(QueryRefused):
            store.query(q)
    assert store.query("MATCH (a:Agency) WHERE a.id = 'x' RETURN count(a)").scalar() == 0


def test_engine_itself_refuses_writes(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    if not hasattr(store, "raw_connection"):
        pytest.skip(f"{store.backend}: no raw read-only connection exposed")
    conn = store.raw_connection()
    with pytest.raises(Exception) as info:
        conn.execute("CREATE (:Agency {id: 'agency:intruder', name: 'x'})")
    assert "read" in str(info.value).lower()
    assert store.query("MATCH (a:Agency) WHERE a.id = 'agency:intruder' RETURN count(a)").scalar() == 0


def test_timeout_and_row_cap(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    with pytest.raises(QueryFailed) as info:
        store.query(SLOW_QUERY, timeout_s=0.2)
    assert "timed out" in str(info.value)
    res = store.query("UNWIND range(1, 50) AS x RETURN x", max_rows=10)
    assert len(res.rows) == 10 and res.truncated
    res = store.query("UNWIND range(1, 10) AS x RETURN x", max_rows=10)
    assert len(res.rows) == 10 and not res.truncated
    # the connection is still usable after a timeout
    assert store.query("RETURN 1 AS one").scalar() == 1


def test_query_errors_are_one_line(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    with pytest.raises(QueryFailed) as info:
        store.query("MATCH (n:Nope RETURN n")
    assert "\n" not in str(info.value)


def test_missing_graph_is_unavailable(make_store):
    store = make_store("empty")
    if store.backend != "ladybug":
        pytest.skip("an empty server is not 'missing'")
    with pytest.raises(StoreUnavailable) as info:
        store.query("RETURN 1")
    assert "build" in str(info.value)
    assert store.load_records() == []


def test_load_records_round_trip(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    assert store.load_records() == recs


# -- LadybugDB specifics ----------------------------------------------------------------------
from graph.ladybug_store import LadybugStore, ddl_statements  # noqa: E402


def _streamed(recs):
    """The batches a streamed build gives the store: one per document, then the shared part."""
    from graph.build import iter_graph_parts
    from graph.model import GraphBatch

    ordered = sorted(recs, key=lambda r: r.source_file)
    parts = list(iter_graph_parts(ordered, FakeGazetteer()))
    return [GraphBatch(part, [rec]) for part, rec in zip(parts, ordered)] + [GraphBatch(parts[-1])]


def test_streamed_write_equals_whole_rebuild(make_store, graph_and_records):
    g, recs = graph_and_records
    whole, streamed = make_store("whole"), make_store("streamed")
    whole.rebuild(g, recs)
    counts = streamed.write(iter(_streamed(recs)))  # a generator: the store must not need len()
    assert {k: v for k, v in counts.items() if v} == {k: v for k, v in g.counts().items() if v}
    assert _plain(streamed.snapshot()) == _plain(whole.snapshot())
    assert [r.source_file for r in streamed.load_records()] == sorted(r.source_file for r in recs)
    assert [r.source_file for r in streamed.iter_records()] == sorted(r.source_file for r in recs)


def test_streamed_write_failing_source_keeps_previous_graph(make_store, graph_and_records):
    """A failure of the batches' source (a loader error, --strict) reaches the caller as it is,
    after some batches were written, and the previous graph stays."""
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    before = _plain(store.snapshot())

    class Refused(Exception):
        pass

    def batches():
        yield from _streamed(recs)[:1]
        raise Refused("2 of 3 files failed (--strict)")

    with pytest.raises(Refused, match="--strict"):
        store.write(batches())
    assert _plain(store.snapshot()) == before


def test_streamed_write_refuses_a_node_in_two_batches(make_store, graph_and_records):
    g, recs = graph_and_records
    store = make_store()
    store.rebuild(g, recs)
    batches = _streamed(recs)
    batches.append(batches[0])  # the first document's nodes again
    with pytest.raises(StoreError):
        store.write(batches)
    assert store.query("MATCH (d:Document) RETURN count(d)").scalar() == g.counts()["Document"]


def test_ddl_has_typed_tables_and_multi_pair_rels():
    ddl = "\n".join(ddl_statements())
    assert "CREATE NODE TABLE Measure(`id` STRING PRIMARY KEY" in ddl
    assert "CREATE REL TABLE CONTAINS(FROM Document TO Chapter, FROM Chapter TO Measure" in ddl


def test_versions_switch_and_old_ones_are_cleaned(tmp_path, graph_and_records):
    g, recs = graph_and_records
    store = LadybugStore(tmp_path / "s")
    for _ in range(3):
        store.rebuild(g, recs)
    versions = sorted(p.name for p in (tmp_path / "s" / "versions").iterdir())
    assert versions == ["v000002", "v000003"]  # current + previous
    assert (tmp_path / "s" / "CURRENT").read_text().strip() == "v000003"


def test_monkeypatched_failure_mid_write_keeps_previous(tmp_path, graph_and_records, monkeypatch):
    g, recs = graph_and_records
    store = LadybugStore(tmp_path / "s")
    store.rebuild(g, recs)

    def boom(self, conn, graph):
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(LadybugStore, "_copy_rels", boom)
    with pytest.raises(StoreError, match="previous graph kept"):
        store.rebuild(g, recs[:1])
    assert store.current_version() == "v000001"
    assert sorted(p.name for p in (tmp_path / "s" / "versions").iterdir()) == ["v000001"]
    assert store.query("MATCH (d:Document) RETURN count(d)").scalar() == g.counts()["Document"]


def test_one_writer_at_a_time(tmp_path, graph_and_records):
    import fcntl

    g, recs = graph_and_records
    store = LadybugStore(tmp_path / "s")
    (tmp_path / "s").mkdir()
    with open(tmp_path / "s" / "write.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(StoreUnavailable, match="another process"):
            store.rebuild(g, recs)
    store.rebuild(g, recs)  # lock released: works


def test_reader_keeps_working_across_rebuilds(tmp_path, graph_and_records):
    g, recs = graph_and_records
    writer = LadybugStore(tmp_path / "s")
    writer.rebuild(g, recs)
    reader = LadybugStore(tmp_path / "s")
    assert reader.query("MATCH (d:Document) RETURN count(d)").scalar() == 3
    one = [recs[0]]
    writer.rebuild(build_graph(one, FakeGazetteer()), one)
    writer.rebuild(build_graph(one, FakeGazetteer()), one)
    # v000001 is held by the reader: not deleted although it is two versions old
    assert (tmp_path / "s" / "versions" / "v000001").exists()
    # the reader switches to the new graph on its next query
    assert reader.query("MATCH (d:Document) RETURN count(d)").scalar() == 1
    reader.close()
    writer.rebuild(build_graph(one, FakeGazetteer()), one)
    assert not (tmp_path / "s" / "versions" / "v000001").exists()


def test_killed_build_leaves_previous_graph(tmp_path, graph_and_records):
    g, recs = graph_and_records
    path = tmp_path / "s"
    store = LadybugStore(path)
    store.rebuild(g, recs)
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from graph.ladybug_store import LadybugStore
        from graph.build import build_graph
        from tests.conftest import FakeGazetteer, sample_records_list
        def die(self, *a, **k):
            os._exit(9)  # killed after writing, before the switch
        LadybugStore._verify_readable = die
        recs = sample_records_list()[:1]
        LadybugStore({str(path)!r}).rebuild(build_graph(recs, FakeGazetteer()), recs)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    assert (path / "versions" / "v000002").exists()  # the half-finished version
    fresh = LadybugStore(path)
    assert fresh.current_version() == "v000001"
    assert fresh.query("MATCH (d:Document) RETURN count(d)").scalar() == 3
    assert len(fresh.load_records()) == 2
    fresh.close()
    store.rebuild(g, recs)  # the next build cleans the leftover
    assert store.current_version() == "v000003"
    assert sorted(p.name for p in (path / "versions").iterdir()) == ["v000001", "v000003"]


def test_corpus_store_end_to_end(tmp_path, pipeline_ready):
    if not pipeline_ready:
        pytest.skip("loaders.pipeline.load_file is not available yet")
    from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files, load_paths

    recs = load_paths(iter_document_files([DEFAULT_CORPUS_DIR])).records
    store = LadybugStore(tmp_path / "s")
    store.rebuild(build_graph(recs), recs)
    rec = next(r for r in recs if r.source_file.startswith("002_"))
    res = store.query(
        "MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) WHERE m.document_id = $d "
        "AND m.number = '1' AND r.role = 'lead' RETURN a.name", {"d": document_id(rec)})
    assert res.rows[0][0] == "市经济信息化委"
