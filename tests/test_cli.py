"""``python -m graph`` end to end in subprocesses, with --store in a temporary folder.

Uses two real corpus files (002, 003) and a broken file; needs the loader pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, corpus_pipeline_ready

pytestmark = pytest.mark.skipif(not corpus_pipeline_ready(),
                                reason="loaders.pipeline.load_file is not available yet")

CORPUS = REPO_ROOT / "data" / "corpus"
F002 = "002_eb27fe6b47101308.txt"
F003 = "003_3a33eb2e0612dacc.txt"


def run(*args: str, store: Path | None = None, check: int | None = 0) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "graph", *args]
    if store is not None:
        cmd += ["--store", str(store)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_KG_", "NEO4J_"))}
    env["POLICY_KG_READ_BUFFER_MB"] = "64"
    env["POLICY_KG_WRITE_BUFFER_MB"] = "256"
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, timeout=300, env=env)
    proc.out = proc.stdout.decode("utf-8")  # type: ignore[attr-defined]
    proc.err = proc.stderr.decode("utf-8")  # type: ignore[attr-defined]
    if check is not None:
        assert proc.returncode == check, (proc.returncode, proc.err)
    return proc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    for name in (F002, F003):
        shutil.copy(CORPUS / name, d / name)
    (d / "zz_broken.txt").write_bytes("第一行\n第二行\n\x00\x00坏\n".encode("utf-8"))
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus) -> tuple[Path, subprocess.CompletedProcess]:
    store = tmp_path_factory.mktemp("cli") / "store"
    proc = run("build", "--corpus", str(corpus), store=store, check=None)
    return store, proc


def test_build_reports_each_file_and_loads_the_good_ones(built):
    store, proc = built
    assert proc.returncode == 1  # one file failed
    assert f"ok    {F002}" in proc.err and "responsibilities" in proc.err
    assert "FAIL  zz_broken.txt:3:" in proc.err
    stats = json.loads(run("stats", "--format", "json", store=store).out)
    assert [d["source_file"] for d in stats["documents"]] == [F002, F003]
    assert stats["nodes"]["Document"] >= 2


def test_stats_table(built):
    store, _ = built
    out = run("stats", store=store).out
    assert "RESPONSIBLE_FOR" in out and F002 in out


def test_query_formats_and_params(built):
    store, _ = built
    q = ("MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) WHERE m.source_file = $f "
         "AND m.number = $n AND r.role = 'lead' RETURN a.name AS agency")
    rows = json.loads(run("query", q, "--param", f"f={F002}", "--param", "n=\"1\"",
                          "--format", "json", store=store).out)
    assert rows == [{"agency": "市经济信息化委"}]
    csv_out = run("query", "MATCH (d:Document) WHERE d.external = false RETURN d.source_file AS f "
                  "ORDER BY f", "--format", "csv", store=store).out
    assert csv_out.splitlines() == ["f", F002, F003]
    table = run("query", "UNWIND range(1, $n) AS x RETURN x", "--param", "n=30",
                "--max-rows", "5", store=store)
    assert len(table.out.splitlines()) == 2 + 5 and "--max-rows" in table.err


def test_query_write_refused_and_errors(built):
    store, _ = built
    proc = run("query", "MATCH (n) DETACH DELETE n", store=store, check=1)
    assert "not allowed" in proc.err and "Traceback" not in proc.err
    proc = run("query", "MATCH (n:Nope RETURN n", store=store, check=1)
    assert proc.err.startswith("error:") and "Traceback" not in proc.err
    proc = run("query", "RETURN 1", store=built[0].parent / "nothing-here", check=1)
    assert "build" in proc.err


def test_export_responsibilities_json(built):
    store, _ = built
    rows = json.loads(run("export", "responsibilities", "--format", "json", "--agency",
                          "上海市经济和信息化委员会", "--document", "沪府办发〔2020〕1号", store=store).out)
    keys = ["source_file", "doc_number", "document", "chapter", "measure_number", "measure_title",
            "agency", "agency_full_name", "role", "rank", "source_text"]
    assert rows and all(list(r) == keys for r in rows)
    assert rows[0]["measure_number"] == "1" and rows[0]["role"] == "lead"
    assert {r["agency"] for r in rows} == {"市经济信息化委"}
    proc = run("export", "responsibilities", "--agency", "市火星委", store=store, check=1)
    assert "市火星委" in proc.err


def test_export_files(built, tmp_path):
    store, _ = built
    out = tmp_path / "r.xlsx"
    run("export", "responsibilities", "--format", "xlsx", "-o", str(out), store=store)
    assert out.read_bytes()[:2] == b"PK"
    for kind in ("measures", "targets", "places", "chains", "documents"):
        data = json.loads(run("export", kind, "--format", "json", store=store).out)
        assert isinstance(data, list)
    run("export", "measures", "--format", "csv", store=store, check=1)


def test_export_rdf_is_clear_when_unavailable(built):
    store, _ = built
    proc = run("export", "rdf", store=store, check=None)
    try:
        import graph.rdf  # noqa: F401
    except ImportError:
        assert proc.returncode == 1 and "RDF export is not available" in proc.err
    else:
        assert proc.returncode == 0, proc.err


def test_ingest_same_file_twice_is_idempotent(tmp_path, corpus):
    store = tmp_path / "store"
    run("ingest", str(corpus / F002), store=store)
    first = run("export", "responsibilities", "--format", "json", store=store).out
    docs1 = run("export", "documents", "--format", "json", store=store).out
    proc = run("ingest", str(corpus / F002), str(corpus / F003), store=store)
    assert f"replace {F002}" in proc.err
    run("ingest", str(corpus / F003), store=store)
    again = run("export", "documents", "--format", "json", store=store).out
    assert [d["source_file"] for d in json.loads(again)] == [F002, F003]
    # a copy with another file name but the same 文号 replaces the document
    copy = tmp_path / "002_copy.txt"
    shutil.copy(corpus / F002, copy)
    run("ingest", str(copy), store=store)
    run("ingest", str(corpus / F002), store=store)
    assert run("export", "documents", "--format", "json", store=store).out == again
    resp = json.loads(run("export", "responsibilities", "--format", "json", store=store).out)
    assert [r for r in resp if r["source_file"] == F002] == json.loads(first)
    assert json.loads(docs1)[0]["source_file"] == F002


def test_strict_and_all_failed_builds_keep_the_store(built, tmp_path, corpus):
    store, _ = built
    current = (store / "CURRENT").read_text()
    proc = run("build", "--corpus", str(corpus), "--strict", store=store, check=1)
    assert "--strict" in proc.err and (store / "CURRENT").read_text() == current
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"")
    (bad / "b.txt").write_bytes("第一行\n\x00\x00坏\n".encode("utf-8"))
    proc = run("build", "--corpus", str(bad), store=store, check=1)
    assert "FAIL  a.txt: empty file" in proc.err and "FAIL  b.txt:2:" in proc.err
    assert "existing graph was kept" in proc.err
    assert (store / "CURRENT").read_text() == current
    proc = run("ingest", str(tmp_path / "missing.txt"), store=store, check=1)
    assert "missing.txt" in proc.err


def test_usage_errors_exit_2():
    assert run("bogus", check=None).returncode == 2
    assert run("query", check=None).returncode == 2
    assert run("export", "responsibilities", "--nope", check=None).returncode == 2
    proc = run("--help", check=0)
    for cmd in ("build", "ingest", "query", "export", "validate", "stats"):
        assert cmd in proc.out


def test_export_neo4j_writes_admin_import_files(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    store = tmp_path / "store"
    corpus = root / "data" / "corpus"
    build = subprocess.run([sys.executable, "-m", "graph", "build", "--corpus", str(corpus), "--store", str(store)],
                           cwd=root, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    out = tmp_path / "neo4j"
    res = subprocess.run([sys.executable, "-m", "graph", "export", "neo4j", "-o", str(out), "--store", str(store)],
                         cwd=root, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    header = (out / "nodes_Agency.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id:ID") and header.endswith(":LABEL")
    assert "neo4j-admin database import full" in (out / "import.sh").read_text(encoding="utf-8")
    missing = subprocess.run([sys.executable, "-m", "graph", "export", "neo4j", "--store", str(store)],
                             cwd=root, capture_output=True, text=True)
    assert missing.returncode == 1 and "-o DIR" in missing.stderr
