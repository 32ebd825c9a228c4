"""Exports of the stored graph: responsibility lists (JSON/CSV/XLSX/DOCX/Markdown) and JSON records.

Takes: a ``GraphStore`` (read through ``graph.queries`` only) and the user's choices (format,
agency, document).
Gives: functions returning ready-to-write content, for the CLI (``-o FILE`` or stdout) and the app
(download buttons):

    responsibilities_bytes(store, fmt, agency=None, document=None, gazetteer=None) -> bytes
        fmt: json | csv | xlsx | docx | md. Rows are exactly RESPONSIBILITY_KEYS (DESIGN.md).
        csv is UTF-8 with a BOM (Excel); xlsx is one formatted sheet, or one sheet per agency
        when ``per_agency=True`` (see ``responsibilities_workbook``); docx is a printable
        任务分工表 (landscape) with 序号/任务/牵头单位/配合单位/目标/来源.
    records_json(store, kind) -> str
        kind: measures | targets | places | chains | documents, with exactly the DESIGN.md keys.
    responsibilities_workbook(store, agency=None, document=None, per_agency=False) -> bytes

All output is ordered by source_file, then document order, so exports are diffable.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Optional

from graph import queries as Q
from graph.store import GraphStore

RESPONSIBILITY_FORMATS = ("csv", "xlsx", "docx", "json", "md")
RECORD_KINDS = ("measures", "targets", "places", "chains", "documents")

RESPONSIBILITY_HEADERS_ZH = {
    "source_file": "来源文件", "doc_number": "文号", "document": "文件", "chapter": "章节",
    "measure_number": "序号", "measure_title": "任务", "agency": "部门", "agency_full_name": "部门全称",
    "role": "角色", "rank": "排序", "source_text": "原文",
}
_WIDTHS = {"source_file": 26, "doc_number": 20, "document": 36, "chapter": 22,
           "measure_number": 8, "measure_title": 34, "agency": 18, "agency_full_name": 30,
           "role": 9, "rank": 6, "source_text": 60}


class ExportError(ValueError):
    """Unknown format or kind; the message lists the valid ones."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _contract(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    return [{k: r.get(k) for k in keys} for r in rows]


# -- JSON records -----------------------------------------------------------------------------
def records(store: GraphStore, kind: str) -> list[dict]:
    """The rows of ``export <kind> --format json`` (exact DESIGN.md keys)."""
    if kind == "measures":
        return _contract(Q.measure_rows(store), Q.MEASURE_KEYS)
    if kind == "targets":
        return _contract(Q.target_rows(store), Q.TARGET_KEYS)
    if kind == "places":
        # the places the documents name; gazetteer parents only reached through WITHIN are not
        return _contract(Q.place_rows(store, mentioned_only=True), Q.PLACE_KEYS)
    if kind == "chains":
        return _contract(Q.chain_rows(store), Q.CHAIN_KEYS)
    if kind == "documents":
        return _contract(Q.document_rows(store), Q.DOCUMENT_KEYS)
    raise ExportError(f"unknown export {kind!r}; available: responsibilities, "
                      f"{', '.join(RECORD_KINDS)}, rdf")


def records_json(store: GraphStore, kind: str) -> str:
    return _dumps(records(store, kind))


# -- responsibilities -------------------------------------------------------------------------
def responsibility_records(store: GraphStore, agency: Optional[str] = None,
                           document: Optional[str] = None, gazetteer: Any = None) -> list[dict]:
    return _contract(Q.responsibility_rows(store, agency, document, gazetteer),
                     Q.RESPONSIBILITY_KEYS)


def responsibilities_bytes(store: GraphStore, fmt: str, agency: Optional[str] = None,
                           document: Optional[str] = None, gazetteer: Any = None) -> bytes:
    """The responsibility list in ``fmt`` (json | csv | xlsx | docx | md) as bytes."""
    fmt = (fmt or "").lower()
    if fmt not in RESPONSIBILITY_FORMATS:
        raise ExportError(f"unknown format {fmt!r}; available: {', '.join(RESPONSIBILITY_FORMATS)}")
    if fmt == "docx":
        full = Q.responsibility_rows(store, agency, document, gazetteer)
        return responsibilities_docx(full, agency=agency, store=store)
    rows = responsibility_records(store, agency, document, gazetteer)
    if fmt == "json":
        return _dumps(rows).encode("utf-8")
    if fmt == "csv":
        return responsibilities_csv(rows)
    if fmt == "md":
        return responsibilities_md(rows).encode("utf-8")
    return responsibilities_xlsx({_sheet_title(agency) if agency else "responsibilities": rows})


def responsibilities_csv(rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(Q.RESPONSIBILITY_KEYS), lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def responsibilities_md(rows: list[dict]) -> str:
    keys = Q.RESPONSIBILITY_KEYS
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_md_cell(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str) -> str:
    title = _SHEET_BAD.sub("_", name or "sheet").strip("'") or "sheet"
    return title[:31]


def _unique_titles(names: list[str]) -> list[str]:
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        base = _sheet_title(name)
        title, n = base, 2
        while title.lower() in used:
            suffix = f"~{n}"
            title = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(title.lower())
        out.append(title)
    return out


def responsibilities_xlsx(sheets: dict[str, list[dict]]) -> bytes:
    """A workbook with one formatted sheet per entry (bold frozen header, widths, wrapped text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    keys = list(Q.RESPONSIBILITY_KEYS)
    for title, (name, rows) in zip(_unique_titles(list(sheets)), sheets.items()):
        ws = wb.create_sheet(title)
        ws.append(keys)
        for r in rows:
            ws.append([r.get(k) for k in keys])
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
        for i, k in enumerate(keys, 1):
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(k, 16)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{max(1, len(rows) + 1)}"
        ws.print_options.gridLines = True
        ws.page_setup.orientation = "landscape"
    if not wb.sheetnames:
        wb.create_sheet("responsibilities").append(keys)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def responsibilities_workbook(store: GraphStore, agency: Optional[str] = None,
                              document: Optional[str] = None, per_agency: bool = False,
                              gazetteer: Any = None) -> bytes:
    """XLSX bytes; ``per_agency=True`` gives one sheet per agency (the "all agencies" workbook)."""
    rows = responsibility_records(store, agency, document, gazetteer)
    if not per_agency:
        return responsibilities_xlsx({_sheet_title(agency) if agency else "responsibilities": rows})
    sheets: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["agency"] or ""):  # stable: document order kept
        sheets.setdefault(r["agency"] or "?", []).append(r)
    return responsibilities_xlsx(sheets)


# -- DOCX 任务分工表 ----------------------------------------------------------------------------
DOCX_HEADER = ("序号", "任务", "牵头单位", "配合单位", "目标", "来源")


def _task_table_rows(rows: list[dict], store: Optional[GraphStore]) -> list[list[str]]:
    """Group per-agency rows into one line per measure: 牵头单位 = leads, 配合单位 = supports."""
    targets: dict[str, list[str]] = {}
    if store is not None:
        for t in Q.target_rows(store):
            if t.get("measure_id"):
                targets.setdefault(t["measure_id"], []).append(t["text"] or t["metric"])
    measures: dict[str, dict] = {}
    order: list[str] = []
    for r in rows:
        mid = r.get("measure_id") or (r["source_file"], r["measure_number"])
        if mid not in measures:
            measures[mid] = {"row": r, "lead": [], "support": []}
            order.append(mid)
        measures[mid]["lead" if r["role"] == "lead" else "support"].append(r["agency"])
    out = []
    for i, mid in enumerate(order, 1):
        m = measures[mid]
        r = m["row"]
        task = f"{r['measure_number']}. {r['measure_title']}" if r.get("measure_title") else r["measure_number"]
        source = " ".join(x for x in (r.get("doc_number") or r.get("source_file"), r.get("chapter")) if x)
        out.append([str(i), task, "、".join(m["lead"]), "、".join(m["support"]),
                    "；".join(targets.get(mid, [])) if isinstance(mid, str) else "", source])
    return out


def responsibilities_docx(rows: list[dict], agency: Optional[str] = None,
                          store: Optional[GraphStore] = None) -> bytes:
    """A printable 任务分工表 (landscape A4) with 序号/任务/牵头单位/配合单位/目标/来源."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")

    docs = sorted({r.get("document") for r in rows if r.get("document")})
    who = f"{agency} " if agency else ""
    title = doc.add_heading(f"{who}任务分工表", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if docs:
        p = doc.add_paragraph("来源文件：" + "；".join(f"《{d}》" for d in docs))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    table = doc.add_table(rows=1, cols=len(DOCX_HEADER))
    table.style = "Table Grid"
    widths = [Cm(1.3), Cm(9.0), Cm(3.6), Cm(5.0), Cm(4.0), Cm(3.2)]
    for cell, text, width in zip(table.rows[0].cells, DOCX_HEADER, widths):
        cell.text = text
        cell.width = width
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    # repeat the header row on every printed page
    from docx.oxml import OxmlElement

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for values in _task_table_rows(rows, store):
        cells = table.add_row().cells
        for cell, text, width in zip(cells, values, widths):
            cell.text = text
            cell.width = width
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
