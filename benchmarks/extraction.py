"""Extraction quality against hand-checked answers, scored the way a grader would.

Takes: a folder of policy documents (``<name>.txt``) and a folder of hand-checked answers
(``<name>.json``, the format of ``tests/fixtures/gold/``: measures with their agencies and lead,
targets, places, metadata); documents without an answer file are ignored.
Gives: per-document and overall (micro) F1 for measure–agency pairs (role included), targets and
places, the share of measures whose leads are exact, and -- with ``--misses`` -- every missed and
extra fact. The documents are loaded with the real command line (``python -m graph build`` into a
temporary store, then ``export responsibilities|targets|places|documents --format json``).

Identity of a fact:

- measure–agency pair: (source_file, measure_number, title without spaces and punctuation), the
  agency, and its role (lead/support);
- target: (source_file, measure_number, value, unit); a match also needs the same comparator and
  year and a metric sharing at least half of its characters with the answer's;
- place: a mention (source_file, measure_number, place name) in ``export places``.

``tests/test_unseen.py`` runs this on ``tests/fixtures/docs`` and holds the thresholds (pairs ≥ 0.95,
targets and places ≥ 0.9, overall and per document).

Run: ``python benchmarks/extraction.py [--docs tests/fixtures/docs] [--gold tests/fixtures/gold]
[--misses]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_PUNCT = re.compile(r"[\s，。、；：:;,.“”\"‘’'（）()《》«»〈〉【】\[\]—\-·！!？?]")


def norm_title(title: str | None) -> str:
    return _PUNCT.sub("", title or "")


def measure_key(row: dict, title_key: str) -> tuple:
    return (row["source_file"], str(row["measure_number"]), norm_title(row[title_key]))


def f1(tp: int, n_pred: int, n_gold: int) -> float:
    if n_pred == 0 and n_gold == 0:
        return 1.0
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


# ------------------------------------------------------------------ measure–agency pairs


def gold_pairs(gold: dict) -> set[tuple]:
    out = set()
    for m in gold["measures"]:
        leads = m["lead"] if isinstance(m["lead"], list) else [m["lead"]]
        for a in m["agencies"]:
            out.add((measure_key(m, "measure_title"), a, "lead" if a in leads else "support"))
    return out


def predicted_pairs(rows: list[dict], source_file: str) -> set[tuple]:
    return {(measure_key(r, "measure_title"), r["agency"], r["role"]) for r in rows if r["source_file"] == source_file}


def score_pairs(gold: dict, rows: list[dict], source_file: str) -> dict:
    # a document whose answer has no measures (a 政策解读) still scores the pairs predicted for it
    g = gold_pairs(gold)
    p = predicted_pairs(rows, source_file)
    g2, p2 = {x[:2] for x in g}, {x[:2] for x in p}
    leads_gold: dict[tuple, set] = {}
    for key, a, role in g:
        leads_gold.setdefault(key, set())
        if role == "lead":
            leads_gold[key].add(a)
    leads_pred: dict[tuple, set] = {}
    for key, a, role in p:
        if role == "lead":
            leads_pred.setdefault(key, set()).add(a)
    leads_ok = sum(1 for k, v in leads_gold.items() if leads_pred.get(k, set()) == v)
    return {
        "f1": f1(len(g & p), len(p), len(g)),
        "f1_unroled": f1(len(g2 & p2), len(p2), len(g2)),
        "leads": leads_ok / len(leads_gold) if leads_gold else 1.0,
        "counts": (len(g & p), len(p), len(g)),
        "missed": sorted(g - p), "extra": sorted(p - g),
    }


# ------------------------------------------------------------------ targets


def _num(v) -> float:
    return round(float(v), 6)


def metric_ok(gold: str, got: str | None) -> bool:
    a, b = norm_title(gold), norm_title(got)
    if not a or not b:
        return a == b
    if a in b or b in a:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for ch in set(shorter) if ch in longer) >= len(set(shorter)) / 2


def score_targets(gold: dict, rows: list[dict], source_file: str) -> dict:
    def ident(t):
        return (t["source_file"], None if t["measure_number"] is None else str(t["measure_number"]),
                _num(t["value"]), t["unit"] or "")

    golds = list(gold["targets"])
    preds = [t for t in rows if t["source_file"] == source_file]
    unmatched = list(preds)
    tp, missed = 0, []
    for g in golds:
        hit = next((p for p in unmatched if ident(p) == ident(g)), None)
        if hit is not None and hit["comparator"] == g["comparator"] and hit["year"] == g["year"] \
                and metric_ok(g["metric"], hit["metric"]):
            tp += 1
            unmatched.remove(hit)
        else:
            if hit is not None:
                unmatched.remove(hit)
                missed.append((g["measure_number"], g["value"], g["unit"], g["comparator"], g["year"], g["metric"],
                               "got:", hit["comparator"], hit["year"], hit["metric"]))
            else:
                missed.append((g["measure_number"], g["value"], g["unit"], g["comparator"], g["year"], g["metric"]))
    extra = [(p["measure_number"], p["value"], p["unit"], p["comparator"], p["year"], p["metric"]) for p in unmatched]
    return {"f1": f1(tp, len(preds), len(golds)), "counts": (tp, len(preds), len(golds)),
            "missed": missed, "extra": extra}


# ------------------------------------------------------------------ places


def place_mentions(rows: list[dict], source_file: str) -> Counter:
    out: Counter = Counter()
    for r in rows:
        for mtn in r.get("mentions") or []:
            if mtn["source_file"] == source_file:
                num = mtn["measure_number"]
                out[(None if num is None else str(num), r["name"])] = 1
    return out


def score_places(gold: dict, rows: list[dict], source_file: str) -> dict:
    g = set(place_mentions(gold["places"], source_file))
    p = set(place_mentions(rows, source_file))
    return {"f1": f1(len(g & p), len(p), len(g)), "counts": (len(g & p), len(p), len(g)),
            "missed": sorted(g - p, key=str), "extra": sorted(p - g, key=str)}


# ------------------------------------------------------------------ the real command line


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_KG_", "NEO4J_"))}
    env["POLICY_KG_READ_BUFFER_MB"] = "64"
    env["POLICY_KG_WRITE_BUFFER_MB"] = "256"
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=REPO_ROOT, capture_output=True,
                          timeout=600, env=env)


def export_all(corpus: Path, store: Path) -> dict[str, list]:
    """Build (a file that fails to load is reported by the build, the others still load) and export."""
    proc = _cli("build", "--corpus", str(corpus), "--store", str(store))
    out: dict = {"build": (proc.returncode, proc.stderr.decode("utf-8"))}
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"build failed: {out['build'][1][-2000:]}")
    for kind in ("responsibilities", "targets", "places", "documents"):
        proc = _cli("export", kind, "--format", "json", "--store", str(store))
        if proc.returncode != 0:
            raise RuntimeError(f"export {kind} failed: {proc.stderr.decode('utf-8')[-2000:]}")
        out[kind] = json.loads(proc.stdout.decode("utf-8"))
    return out


def answered(docs: Path, gold: Path) -> list[str]:
    """Names of the documents that have an answer file."""
    return sorted(p.stem for p in gold.glob("*.json") if (docs / f"{p.stem}.txt").exists())


@dataclass
class DocumentScore:
    name: str
    pairs: dict
    targets: dict
    places: dict


@dataclass
class Scorecard:
    documents: list[DocumentScore] = field(default_factory=list)

    def overall(self) -> dict[str, float]:
        totals = {}
        for kind in ("pairs", "targets", "places"):
            tp = sum(getattr(d, kind)["counts"][0] for d in self.documents)
            n_pred = sum(getattr(d, kind)["counts"][1] for d in self.documents)
            n_gold = sum(getattr(d, kind)["counts"][2] for d in self.documents)
            totals[kind] = f1(tp, n_pred, n_gold)
        return totals


def score_exported(exported: dict, gold_dir: Path, names: list[str]) -> Scorecard:
    card = Scorecard()
    for name in names:
        gold = json.loads((gold_dir / f"{name}.json").read_text(encoding="utf-8"))
        sf = f"{name}.txt"
        card.documents.append(DocumentScore(
            name, score_pairs(gold, exported["responsibilities"], sf),
            score_targets(gold, exported["targets"], sf), score_places(gold, exported["places"], sf)))
    return card


def render(card: Scorecard, misses: bool = False) -> str:
    lines = ["| document | pairs F1 | pairs F1 (no role) | leads exact | targets F1 | places F1 |",
             "|---|---:|---:|---:|---:|---:|"]
    for d in card.documents:
        lines.append(f"| {d.name} | {d.pairs['f1']:.3f} | {d.pairs['f1_unroled']:.3f} | {d.pairs['leads']:.3f} "
                     f"| {d.targets['f1']:.3f} | {d.places['f1']:.3f} |")
    o = card.overall()
    lines.append(f"| **all (micro)** | {o['pairs']:.3f} | | | {o['targets']:.3f} | {o['places']:.3f} |")
    if misses:
        for d in card.documents:
            for kind in ("pairs", "targets", "places"):
                s = getattr(d, kind)
                for m in s["missed"]:
                    lines.append(f"{d.name} {kind} missed: {m}")
                for e in s["extra"]:
                    lines.append(f"{d.name} {kind} extra: {e}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=Path, default=REPO_ROOT / "tests" / "fixtures" / "docs")
    ap.add_argument("--gold", type=Path, default=REPO_ROOT / "tests" / "fixtures" / "gold")
    ap.add_argument("--misses", action="store_true", help="list every missed and extra fact")
    args = ap.parse_args(argv)
    names = answered(args.docs, args.gold)
    if not names:
        print(f"no document in {args.docs} has an answer in {args.gold}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="policy-kg-extraction-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for name in names:
            shutil.copy(args.docs / f"{name}.txt", corpus / f"{name}.txt")
        exported = export_all(corpus, Path(tmp) / "store")
    code, log = exported["build"]
    if code:
        print(log, file=sys.stderr)
    print(render(score_exported(exported, args.gold, names), misses=args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
