"""Concurrent use of one LadybugDB store: the app keeps serving a consistent graph while another
process runs ``python -m graph ingest`` / ``python -m graph build`` on the same store; two app
sessions query at once; a reader keeps its old version while builds run.

The app is the real ``app.py`` through ``streamlit.testing.v1.AppTest`` (its Cypher console, in
threads), next to a plain store reader (a ``LadybugStore`` object, as the app holds one); the
writers are real CLI subprocesses. Every read must be the complete old or the complete new graph:
(documents, measures, relationships) counted in ONE query, so a half-written graph would show as
a third combination. Synchronization is by polling files and process state, not by sleeping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from streamlit.testing.v1 import AppTest

from graph import cli
from graph.store import open_store
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
CORPUS = REPO_ROOT / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))
COUNTS = ("MATCH (d:Document) WITH count(d) AS documents "
          "MATCH (m:Measure) WITH documents, count(m) AS measures "
          "MATCH ()-[r]->() RETURN documents, measures, count(r) AS relationships")
DEADLINE_S = 120  # a generous bound for any one wait; the tests take seconds


@pytest.fixture(autouse=True)
def _needs_corpus(pipeline_ready):
    if not pipeline_ready:
        pytest.skip("loaders.pipeline cannot load the corpus yet")


@pytest.fixture(autouse=True)
def _fresh_app_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_KG_", "NEO4J_"))}
    env.update(POLICY_KG_READ_BUFFER_MB="64", POLICY_KG_WRITE_BUFFER_MB="256")
    return env


def _graph_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "graph", *args], cwd=REPO_ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _corpus(tmp_path: Path, name: str, files: list[Path]) -> Path:
    d = tmp_path / name
    d.mkdir()
    for f in files:
        shutil.copy(f, d / f.name)
    return d


def _build_in_process(corpus: Path, store: Path) -> None:
    assert cli.main(["build", "--corpus", str(corpus), "--store", str(store)]) == 0


def counts(store: Any) -> tuple[int, int, int]:
    return tuple(store.query(COUNTS).rows[0])  # type: ignore[return-value]


def fresh_counts(path: Path) -> tuple[int, int, int]:
    store = open_store("ladybug", str(path))
    try:
        return counts(store)
    finally:
        store.close()


class AppReader:
    """One app session on the Cypher console; each read is a new query text (no cache hit)."""

    def __init__(self) -> None:
        self.at = AppTest.from_file(APP, default_timeout=DEADLINE_S)
        self.at.query_params["page"] = "cypher"
        self.n = 0

    def read(self) -> tuple[int, int, int]:
        self.n += 1
        self.at.query_params["query"] = COUNTS + f", {self.n} AS probe"
        self.at.run()
        if self.at.exception or self.at.error:
            raise AssertionError([e.message for e in self.at.exception] + [e.value for e in self.at.error])
        row = self.at.dataframe[0].value.iloc[0]
        return int(row["documents"]), int(row["measures"]), int(row["relationships"])


class Poller(threading.Thread):
    """Calls ``read`` over and over until stopped; keeps (end time, result or exception) in
    ``log`` and (start, end, result) in ``spans``."""

    def __init__(self, read: Callable[[], Any]):
        super().__init__(daemon=True)
        self.read_fn, self.log, self.spans, self.stop = read, [], [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                result = self.read_fn()
            except Exception as exc:  # recorded, asserted on below
                result = exc
            self.log.append((time.monotonic(), result))
            self.spans.append((t0, time.monotonic(), result))

    def reads_between(self, start: float, end: float) -> list:
        return [r for t0, t1, r in list(self.spans) if t0 >= start and t1 <= end]

    def finish(self) -> list:
        self.stop.set()
        self.join(DEADLINE_S)
        assert not self.is_alive()
        return self.log


def _wait(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, err
    return err


def _assert_consistent(log: list, allowed: set, started: float, ended: float, who: str) -> None:
    results = [r for _, r in log]
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{who}: {errors[:3]}"
    assert set(results) <= allowed, f"{who}: {set(results) - allowed} is neither old nor new graph"
    assert any(started <= t <= ended for t, _ in log), f"{who}: no read while the writer ran"


def test_app_serves_a_consistent_graph_while_ingest_and_build_run(tmp_path, monkeypatch):
    store_path = tmp_path / "store"
    _build_in_process(_corpus(tmp_path, "two", FILES[:2]), store_path)
    monkeypatch.setenv("POLICY_KG_STORE", str(store_path))
    monkeypatch.delenv("POLICY_KG_BACKEND", raising=False)
    reader = open_store("ladybug", str(store_path))  # what the app holds: one store object
    app = AppReader()
    old = fresh_counts(store_path)
    assert app.read() == counts(reader) == old

    # 1. ingest a third document in another process while both keep reading
    readers = [Poller(lambda: counts(reader)), Poller(app.read)]
    started = time.monotonic()
    for p in readers:
        p.start()
    proc = _graph_cli("ingest", str(FILES[2]), "--store", str(store_path))
    err = _wait(proc)
    ended = time.monotonic()
    logs = [p.finish() for p in readers]
    new = fresh_counts(store_path)
    assert new[0] > old[0] and new[1] > old[1], (old, new, err)
    for log, who in zip(logs, ("store reader", "app session")):
        _assert_consistent(log, {old, new}, started, ended, who)
    assert counts(reader) == new and app.read() == new  # both see the new graph right after

    # 2. a full build, paused (in the writer process) after the new version is completely
    #    written and verified but before CURRENT is switched: reads in that window are old
    signal = tmp_path / "signal"
    signal.mkdir()
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from graph import cli
        from graph.ladybug_store import LadybugStore
        switch = LadybugStore._switch
        def paused(self, version):
            Path({str(signal)!r}, "ready").write_text(version)
            deadline = time.monotonic() + {DEADLINE_S}
            while not Path({str(signal)!r}, "go").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            switch(self, version)
        LadybugStore._switch = paused
        sys.exit(cli.main(["build", "--corpus", {str(CORPUS)!r}, "--store", {str(store_path)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    readers = [Poller(lambda: counts(reader)), Poller(app.read)]
    started = time.monotonic()
    for p in readers:
        p.start()
    deadline = time.monotonic() + DEADLINE_S
    while not (signal / "ready").exists():  # poll the writer's progress
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    window = time.monotonic()
    pending = (signal / "ready").read_text()
    assert (store_path / "versions" / pending / "manifest.json").exists()  # fully written
    assert (store_path / "CURRENT").read_text().strip() != pending
    assert counts(reader) == new and fresh_counts(store_path) == new
    while not all(p.reads_between(window, time.monotonic()) for p in readers):
        assert time.monotonic() < deadline  # wait for a whole read of each inside the window
        time.sleep(0.05)
    in_window = [p.reads_between(window, time.monotonic()) for p in readers]
    (signal / "go").write_text("")
    assert all(r == new for reads in in_window for r in reads), in_window
    _wait(proc)
    ended = time.monotonic()
    logs = [p.finish() for p in readers]
    full = fresh_counts(store_path)
    assert full[0] > new[0], (new, full)
    for log, who in zip(logs, ("store reader", "app session")):
        _assert_consistent(log, {new, full}, started, ended, who)
    assert counts(reader) == full and app.read() == full
    reader.close()


def _app_store(store_path: Path) -> Any:
    """The store object the app's sessions share (``st.cache_resource`` in ui.common)."""
    from ui import common

    store = common.get_store()
    assert getattr(store, "path", None) == store_path
    return store


def test_two_app_sessions_query_at_once(tmp_path, monkeypatch):
    """Sessions share one store object (as in the app). Two sessions querying at once get correct
    answers, and a slow query in one app session does not hold up the other session (each query
    has its own engine connection; before, one lock made every session wait)."""
    import graph.ladybug_store as L
    from graph import app_queries as AQ
    from graph import queries as Q

    store_path = tmp_path / "store"
    _build_in_process(CORPUS, store_path)
    monkeypatch.setenv("POLICY_KG_STORE", str(store_path))
    monkeypatch.delenv("POLICY_KG_BACKEND", raising=False)
    monkeypatch.setattr(L, "READ_BUFFER_BYTES", 256 * 1024 * 1024)  # slow by time, not memory
    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "5")  # the console's default time limit
    app = AppReader()
    expected = fresh_counts(store_path)
    assert app.read() == expected
    shared = _app_store(store_path)

    def page_reads() -> Any:  # what the agency and document pages ask for
        return (counts(shared), Q.responsibility_rows(shared, agency="市经济信息化委"),
                Q.agency_summary(shared), AQ.document_measures(shared, Q.document_rows(shared)[0]["id"]))

    baseline = page_reads()
    results: dict[int, list] = {1: [], 2: []}

    def session(n: int) -> None:
        for _ in range(5):
            results[n].append(page_reads())

    threads = [threading.Thread(target=session, args=(n,)) for n in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
    assert results[1] == [baseline] * 5 and results[2] == [baseline] * 5

    slow_cypher = "MATCH (x)-[*1..4]-(y) RETURN count(*) AS paths"
    started = threading.Event()
    real_query = L.LadybugStore._query

    def watched(self, reader, conn, cypher, *args, **kw):
        if cypher == slow_cypher:
            started.set()
        return real_query(self, reader, conn, cypher, *args, **kw)

    monkeypatch.setattr(L.LadybugStore, "_query", watched)
    slow_done: dict[str, Any] = {}

    def slow_session() -> None:  # a real app session: the Cypher console
        at = AppTest.from_file(APP, default_timeout=DEADLINE_S)
        at.query_params["page"] = "cypher"
        at.query_params["query"] = slow_cypher
        at.run()  # the console's default limit: 5 s (environment)
        slow_done["at"] = time.monotonic()
        slow_done["errors"] = [e.value for e in at.error] + [e.message for e in at.exception]

    slow = threading.Thread(target=slow_session)
    slow.start()
    assert started.wait(DEADLINE_S)
    t0 = time.monotonic()
    assert page_reads() == baseline and page_reads() == baseline  # the other session
    fast_done = time.monotonic()
    slow.join(DEADLINE_S)
    assert "at" in slow_done and fast_done < slow_done["at"], \
        f"the quick session waited for the slow one ({fast_done - t0:.1f} s)"
    assert all("time limit" in e for e in slow_done["errors"])  # finished, or stopped at 5 s
    assert app.read() == expected  # and the app session still answers


def test_reader_keeps_its_version_while_build_runs_twice(tmp_path):
    store_path = tmp_path / "store"
    two = _corpus(tmp_path, "two", FILES[:2])
    three = _corpus(tmp_path, "three", FILES[:3])
    _build_in_process(two, store_path)
    old = fresh_counts(store_path)
    reader = open_store("ladybug", str(store_path))
    assert counts(reader) == old and reader.current_version() == "v000001"

    # a query in flight on v000001 (its connection checked out) while two builds run
    held_reader, held_conn = reader._checkout()
    poller = Poller(lambda: fresh_counts(store_path))
    started = time.monotonic()
    poller.start()
    for _ in range(2):
        _wait(_graph_cli("build", "--corpus", str(three), "--store", str(store_path)))
    ended = time.monotonic()
    new = fresh_counts(store_path)
    _assert_consistent(poller.finish(), {old, new}, started, ended, "fresh readers")
    assert new != old
    versions = sorted(p.name for p in (store_path / "versions").iterdir())
    assert versions == ["v000001", "v000002", "v000003"]  # v000001 kept: it is being read
    assert (store_path / "CURRENT").read_text().strip() == "v000003"
    # the held connection still reads the complete old graph
    assert tuple(held_conn.execute(COUNTS).get_all()[0]) == old
    reader._checkin(held_reader, held_conn)

    # the reader's next query switches to the newest version; the old one is released ...
    assert counts(reader) == new and reader.current_version() == "v000003"
    # ... and the next build removes it (current and previous are kept)
    _wait(_graph_cli("build", "--corpus", str(three), "--store", str(store_path)))
    versions = sorted(p.name for p in (store_path / "versions").iterdir())
    assert versions == ["v000003", "v000004"]
    assert counts(reader) == new
    reader.close()


def test_reader_retries_when_its_version_was_just_removed(tmp_path, monkeypatch):
    """A reader that read CURRENT just before a build switched it and removed that version (the
    writer's cleanup) opens the new CURRENT instead of failing."""
    from graph.build import build_graph
    from graph.ladybug_store import LadybugStore
    from tests.conftest import FakeGazetteer, sample_records_list

    records = sample_records_list()
    graph = build_graph(records, FakeGazetteer())
    writer = LadybugStore(tmp_path / "s")
    writer.rebuild(graph, records)
    writer.rebuild(graph, records)
    stale = tmp_path / "s" / "versions" / "v000001"
    shutil.rmtree(stale)  # removed by a cleanup after this reader read CURRENT
    reader = LadybugStore(tmp_path / "s")
    real = LadybugStore.current_dir
    seen: list[str] = []

    def first_stale(self):
        seen.append("x")
        return stale if len(seen) == 1 else real(self)

    monkeypatch.setattr(LadybugStore, "current_dir", first_stale)
    assert reader.query("MATCH (d:Document) RETURN count(d)").scalar() == graph.counts()["Document"]
    assert reader.current_version() == "v000002" and len(seen) >= 2
    reader.close()
