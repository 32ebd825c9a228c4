"""The loader pipeline: document file -> DocumentRecord.

Takes: paths of document files (.txt today).
Gives: ``load_file(path) -> DocumentRecord`` (raises ``LoadError``) and
``load_paths(paths) -> LoadReport`` (per-file status; one bad file does not stop the others).

Stages: read.read_document -> normalize.normalize -> structure.parse_structure
-> responsibilities -> entities / targets -> DocumentRecord.
"""
# NOTE: work in progress (being written now); the signatures below are the contract.
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from loaders.errors import LoadError
from loaders.records import DocumentRecord, LoadIssue

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_DIR = REPO_ROOT / "data" / "corpus"
SUPPORTED_SUFFIXES = (".txt",)


@dataclass
class LoadReport:
    records: list[DocumentRecord] = field(default_factory=list)
    failures: list[LoadIssue] = field(default_factory=list)


def iter_document_files(dirs: Iterable[str | Path]) -> list[Path]:
    """Document files in the given folders (not recursive), sorted by name."""
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
            continue
        files.extend(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    return sorted(files, key=lambda p: p.name)


def load_file(path: str | Path) -> DocumentRecord:
    raise NotImplementedError


def load_paths(paths: Iterable[str | Path]) -> LoadReport:
    report = LoadReport()
    for path in paths:
        try:
            report.records.append(load_file(path))
        except LoadError as exc:
            report.failures.append(LoadIssue(exc.source_file, exc.line, exc.message, "error"))
    return report
