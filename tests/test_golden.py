"""Golden files per loader stage, for every shipped corpus document and the small fixture documents.

Stages pinned: normalized text (``*.normalized.txt``), structure (``*.structure.json``: chapters and
measures with number, title, kind, parent) and records (``*.records.json``: responsibilities with
role and rank, targets, places, sectors, document metadata). The golden files were reviewed by hand
(see tests/golden/README.md); regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``
and review the diff before committing.

Also: ``tests/fixtures/gold/002_measures.json`` (hand-checked, from ../shared/gold) must match exactly.
"""

import json
import os
from pathlib import Path

import pytest

from loaders.normalize import normalize
from loaders.pipeline import DEFAULT_CORPUS_DIR, load_file
from loaders.read import read_document

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURE_DOCS = HERE / "fixtures" / "docs"
DOCS = sorted(DEFAULT_CORPUS_DIR.glob("*.txt")) + sorted(FIXTURE_DOCS.glob("*.txt"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def structure_view(record):
    return {
        "chapters": [c.heading for c in record.chapters],
        "measures": [
            {"key": m.key, "number": m.number, "label": m.label, "title": m.title, "kind": m.kind,
             "chapter": m.chapter, "parent": m.parent_key, "line": m.span.line}
            for m in record.measures
        ],
    }


def records_view(record):
    meta = record.meta
    return {
        "meta": {"title": meta.title, "doc_number": meta.doc_number, "issuer": meta.issuer, "issued": meta.issued,
                 "valid_from": meta.valid_from, "valid_to": meta.valid_to, "kind": meta.kind, "cites": meta.cites,
                 "implements": meta.implements},
        "document_leads": [r.agency for r in record.leads],
        "document_targets": [[t.metric, t.value, t.unit, t.comparator, t.year] for t in record.targets],
        "measures": {
            m.key: {
                "responsibilities": [[r.agency, r.role, r.rank, r.catalogued] for r in m.responsibilities],
                "targets": [[t.metric, t.value, t.unit, t.comparator, t.year] for t in m.targets],
                "places": [[p.name, p.kind, p.district, p.sectors] for p in m.places],
                "sectors": [s.sector_id for s in m.sectors],
            }
            for m in record.measures
        },
    }


def check(path: Path, actual: str):
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written: review it and re-run")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from the golden file"


@pytest.fixture(scope="module")
def records():
    return {p.name: load_file(p) for p in DOCS}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_normalized_text_golden(doc):
    raw = read_document(doc)
    check(GOLDEN / f"{doc.stem}.normalized.txt", normalize(raw.text, raw.source_file).text + "\n")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_structure_golden(doc, records):
    check(GOLDEN / f"{doc.stem}.structure.json", json.dumps(structure_view(records[doc.name]), ensure_ascii=False, indent=1) + "\n")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_records_golden(doc, records):
    check(GOLDEN / f"{doc.stem}.records.json", json.dumps(records_view(records[doc.name]), ensure_ascii=False, indent=1) + "\n")


def test_002_matches_hand_checked_gold_exactly(records):
    gold = json.loads((HERE / "fixtures" / "gold" / "002_measures.json").read_text(encoding="utf-8"))
    record = records["002_eb27fe6b47101308.txt"]
    assert record.meta.title == gold["document"]
    assert record.meta.doc_number == gold["doc_number"]
    mine = [
        {
            "source_file": record.source_file,
            "measure_number": m.number,
            "chapter": m.chapter,
            "measure_title": m.title,
            "agencies": [r.agency for r in m.responsibilities],
            "lead": next(r.agency for r in m.responsibilities if r.role == "lead"),
            "responsibility_text": m.responsibilities[0].clause,
        }
        for m in record.measures
        if m.responsibilities
    ]
    assert mine == gold["measures"]


def test_every_fact_has_provenance(records):
    for record in records.values():
        raw = read_document(DEFAULT_CORPUS_DIR / record.source_file if (DEFAULT_CORPUS_DIR / record.source_file).exists() else FIXTURE_DOCS / record.source_file).text
        for m in record.measures:
            facts = [m.span] + [r.span for r in m.responsibilities] + [t.span for t in m.targets] + \
                [p.span for p in m.places] + [s.span for s in m.sectors]
            for span in facts:
                assert span.source_file == record.source_file
                assert 1 <= span.line <= raw.count("\n") + 1
                original = "".join(raw[span.start:span.end].split())
                # the normalized text is the original minus spaces/line breaks, modulo width variants
                assert len(original) >= len(span.text.replace(" ", "")) * 0.5
