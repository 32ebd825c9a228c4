"""Normalize noisy document text while keeping an offset map back to the original.

Takes: the decoded original text of a document (``RawDocument.text``) and its file name.
Gives: ``NormalizedText``: one paragraph per line (``\\n`` separates paragraphs), with
  - full-width digits and Latin letters as ASCII, ％＋．～ etc. unified, «» -> 《》, ｡ -> 。;
  - ASCII punctuation in Chinese text as Chinese punctuation: ( ) -> （ ）, , -> ，, : -> ：,
    ; -> ；, and a sentence-final . after a Chinese character -> 。 (numbers such as 3.5 and
    item labels such as "1." are kept);
  - words broken across lines joined ("市经济信\\n\\n息化委" -> "市经济信息化委"; a line-break
    hyphen between Chinese characters dropped: "区卫生健-\\n康委" -> "区卫生健康委"), blank lines
    and page-number lines (3, - 3 -, 第 3 页 共 5 页, 第3页/共5页, 3/5) dropped, paragraph breaks
    kept (sentence end, heading lines, item labels at the start of a line, indentation, runs of
    2+ spaces inside a line);
  - page furniture dropped and the sentence around it joined: a short line repeated next to the
    page numbers of several page breaks (a running header/footer such as "XX区人民政府办公室文件"
    on top of every page; its first, page-1 occurrence stays) and a short line of words repeated
    in the middle of sentences (a watermark such as "XX政务公开专用");
  - spaces between Chinese characters removed ("智 能 网 联" -> "智能网联"; "3.5 万 例" -> "3.5万例"),
    while a space between two Latin words or numbers is kept ("10.61 323.00");
  - footnote markers glued into sentences removed ("…的趋势。3近年来" -> "…的趋势。近年来");
  - a web page's furniture after the document dropped: the short lines from a 相关链接：/相关文件：/
    附件下载：/分享到/主办： line to the end, when they hold a site footer (分享到, 版权所有, ICP备,
    网站标识码 …).
Every normalized character maps to an offset in the original text (``offsets``), so any span
can be traced back to the original file, line and text (``span``).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

from loaders.records import SourceSpan

# ---------------------------------------------------------------------------------------------
# Character classes
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…～·"
CLOSERS = "”’）》」』】〕"

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update(
    {
        "％": "%", "＋": "+", "﹢": "+", "．": ".", "／": "/", "－": "-", "＝": "=",
        "＜": "<", "＞": ">", "＆": "&", "＃": "#", "＠": "@", "＊": "*",
        "«": "《", "»": "》", "｡": "。", "､": "、", "｢": "「", "｣": "」",
        "\u3000": " ", "\u00a0": " ", "\t": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
        "\u200a": " ", "\u202f": " ", "\u205f": " ", "\u2007": " ", "\u2008": " ",
        "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
        "︰": "：", "﹕": "：", "﹔": "；", "﹐": "，", "﹑": "、",
        "\u2015": "—", "\u2500": "—",
    }
)
_WIDTH = re.compile("[" + re.escape("".join(_FULLWIDTH)) + "]")

# Characters that follow a number that is a quantity (so the number is not a footnote marker).
UNIT_CHARS = (
    "年月日时分秒号个家项条件万亿千百十元倍岁名人次所座套批类种台辆位例期级成天周度米亩吨户"
    "间张只届章节款部点栋层平方余多强轮季班帧兆吉比颗枚支股份"
)

# Labels that start a structural unit at the beginning of a paragraph.
ITEM_LABEL = re.compile(
    r"(?:第[一二三四五六七八九十百零〇]+[章节部分条篇]"
    r"|[（(]\s*[一二三四五六七八九十百零〇]{1,4}\s*[）)]"
    r"|[一二三四五六七八九十百]{1,3}\s*[、，]"
    r"|[（(]\s*\d{1,3}\s*[）)]"
    r"|\d{1,3}\s*[.．、](?![\d%％.．])"
    r"|[一二三四五六七八九十]{1,3}是"
    r"|[①-⑳]"
    r"|附件\s*\d*"
    r"|——)"
)
_SENTENCE_END = "。！？；：.!?;:"
_RESP_TAIL = re.compile(r"[（(]\s*(?:责\s*任|牵\s*头|配\s*合|主\s*要\s*责\s*任|负\s*责|实\s*施|协\s*办|承\s*办)[^（）()]*[）)]\s*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:[-—–－]\s*)?(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[-—–－])?"  # 3, - 3 -, 第3页
    r"|第\s*\d{1,3}\s*页\s*[，,/、]?\s*共\s*\d{1,3}\s*页"  # 第 3 页 共 5 页, 第3页/共5页
    r"|共\s*\d{1,3}\s*页\s*[，,/、]?\s*第\s*\d{1,3}\s*页"  # 共5页 第3页
    r"|(?:[-—–－]\s*)?\d{1,3}\s*/\s*\d{1,3}(?:\s*[-—–－])?)\s*$"  # 3/5, - 3/5 -
)
# what a page-number line's first non-space character can be (a cheap test before the pattern;
# other whitespace survives as itself, so it is allowed too)
_PAGE_NUMBER_START = frozenset("-—–－第共0123456789") | frozenset(
    c for c in map(chr, range(0x3000 + 1)) if c.isspace() and c != " ")
_MULTI_SPACE = re.compile(r" {2,}")
# A 文号 alone on its line (沪府办发〔2020〕1号) is a header line of its own, never a wrapped
# part of the title above or of the text below.
_DOC_NUMBER_LINE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔［\[（【]\s*(?:19|20)\d{2}\s*[〕］\]）】]\s*\d{1,4}\s*号")
# A metadata field of a web page or a 政府信息公开 header, which is never the wrapped end of the
# line above (a short title followed by "发布日期：2024-05-20").
_FIELD_LINE = re.compile(r"(?:发布日期|发布时间|成文日期|印发日期|信息来源|来源|发布机构|发文机关|索引号|主题分类|"
                         r"责任编辑|浏览次数|字号)\s*[：:]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\r]")
# Line ends: \n, \r\n, and a lone \r (old Mac text), which is a line break, not a character to drop.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


def translate_width(text: str) -> str:
    """Full-width digits/letters/symbols to ASCII, «» to 《》 etc. (same length: offsets unchanged)."""
    return _WIDTH.sub(lambda m: _FULLWIDTH[m.group()], text)


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


def _visual_width(s: str) -> int:
    """Printed width: 1 for ASCII, 2 for Chinese characters (GB18030 byte length, computed in C)."""
    return len(s.encode("gb18030", "replace"))


@dataclass
class NormalizedText:
    """Normalized text with a map from every normalized character to the original text."""

    text: str
    offsets: array  # len(text) + 1 entries; offsets[i] = original index of text[i]
    raw: str
    source_file: str
    _line_starts: list[int]

    def raw_offset(self, index: int) -> int:
        index = max(0, min(index, len(self.text)))
        return self.offsets[index]

    def raw_line(self, raw_offset: int) -> int:
        """1-based line in the original file of original character ``raw_offset``."""
        return bisect_right(self._line_starts, raw_offset)

    def line_of(self, index: int) -> int:
        """1-based line in the original file of normalized character ``index``."""
        return self.raw_line(self.raw_offset(index))

    def span(self, start: int, end: int) -> SourceSpan:
        """Source span of normalized text[start:end] (end exclusive)."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        raw_start = self.offsets[start]
        raw_end = self.offsets[end - 1] + 1 if end > start else raw_start
        return SourceSpan(
            source_file=self.source_file,
            line=self.raw_line(raw_start),
            start=raw_start,
            end=max(raw_start, raw_end),
            text=self.text[start:end],
        )

    def raw_text(self, start: int, end: int) -> str:
        """The original text behind normalized text[start:end]."""
        s = self.span(start, end)
        return self.raw[s.start : s.end]


# ---------------------------------------------------------------------------------------------
# Offset-preserving rewriting

Replacement = Union[str, Callable[[re.Match], str]]


def _sub(rx: re.Pattern, repl: Replacement, text: str, offs: array) -> tuple[str, array]:
    """``rx.sub`` that also rewrites the offset map (len(offs) == len(text) + 1)."""
    pieces: list[str] = []
    new = array("q")
    pos = 0
    for m in rx.finditer(text):
        s, e = m.span()
        r = repl(m) if callable(repl) else repl
        if r == text[s:e]:
            continue
        pieces.append(text[pos:s])
        new.extend(offs[pos:s])
        pieces.append(r)
        if len(r) == e - s:
            new.extend(offs[s:e])
        elif r:
            new.extend(array("q", [offs[s]]) * len(r))
        pos = e
    if pos == 0 and not pieces:
        return text, offs
    pieces.append(text[pos:])
    new.extend(offs[pos:])
    return "".join(pieces), new


def _delete(rx: re.Pattern, text: str, offs: array) -> tuple[str, array]:
    """Delete every match of ``rx``; the offset map keeps the surviving characters' offsets."""
    spans = [m.span() for m in rx.finditer(text)]
    if not spans:
        return text, offs
    pieces = []
    pos = 0
    for s, e in spans:
        pieces.append(text[pos:s])
        pos = e
    pieces.append(text[pos:])
    return "".join(pieces), _kept_offsets(offs, spans)


def _kept_offsets(offs: array, spans: list[tuple[int, int]]) -> array:
    """``offs`` without the entries of the deleted ``spans`` (sorted, not overlapping)."""
    bounds = np.array(spans, dtype=np.int64)
    lengths = bounds[:, 1] - bounds[:, 0]
    keep = np.ones(len(offs), dtype=bool)
    if int(lengths.max()) == 1:  # the common case (single spaces, markers): one fancy index
        keep[bounds[:, 0]] = False
    else:
        for s, e in spans:
            keep[s:e] = False
    return array("q", np.frombuffer(offs, dtype=np.int64)[keep].tobytes())


def _gather(offs: array, starts: list[int], ends: list[int]) -> array:
    """``offs[starts[0]:ends[0]] + offs[starts[1]:ends[1]] + …`` in one vectorized step."""
    st = np.array(starts, dtype=np.int64)
    lengths = np.array(ends, dtype=np.int64) - st
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths  # output position where each range begins
    index = np.arange(total, dtype=np.int64) + np.repeat(st - before, lengths)
    return array("q", np.frombuffer(offs, dtype=np.int64)[index].tobytes())


_LATIN_BEFORE = np.zeros(128, dtype=bool)  # [A-Za-z0-9%+.]: may keep a space after it
_LATIN_AFTER = np.zeros(128, dtype=bool)  # [A-Za-z0-9]: may keep a space before it
for _ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789":
    _LATIN_BEFORE[ord(_ch)] = _LATIN_AFTER[ord(_ch)] = True
for _ch in "%+.":
    _LATIN_BEFORE[ord(_ch)] = True


def _delete_spaces(text: str, offs: array) -> tuple[str, array]:
    """``_delete(_SPACE, …)`` computed on code points with numpy: a space goes unless it stands
    between [A-Za-z0-9%+.] and [A-Za-z0-9] (the look-arounds read the text before any deletion,
    as ``finditer`` does). 004's space-separated characters made the regex ~1.5 ms a document."""
    if " " not in text:
        return text, offs
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    before = np.zeros(len(codes), dtype=np.uint32)
    before[1:] = codes[:-1]
    after = np.zeros(len(codes), dtype=np.uint32)
    after[:-1] = codes[1:]
    latin_before = (before < 128) & _LATIN_BEFORE[np.minimum(before, 127)]
    latin_after = (after < 128) & _LATIN_AFTER[np.minimum(after, 127)]
    keep = ~((codes == 32) & ~(latin_before & latin_after))
    if keep.all():
        return text, offs
    kept_offs = np.frombuffer(offs, dtype=np.int64)[np.append(keep, True)]
    return codes[keep].tobytes().decode("utf-32-le"), array("q", kept_offs.tobytes())


# ASCII punctuation in Chinese context -> Chinese punctuation (same length).
_ASCII_PUNCT = re.compile(r"[(),:;.!?]")


def _ascii_punct(m: re.Match) -> str:
    ch = m.group()
    s = m.string
    i = m.start()
    prev = s[i - 1] if i > 0 else ""
    nxt = s[i + 1] if i + 1 < len(s) else ""
    if ch == "(":
        return "（"
    if ch == ")":
        return "）"
    if ch in ",:":
        if prev.isdigit() and nxt.isdigit():
            return ch
        if ch == ":" and prev.isascii() and prev.isalpha() and nxt == "/":
            return ch  # URL scheme
        return "，" if ch == "," else "："
    if ch == ";":
        return "；"
    if ch == ".":
        if (_is_cjk(prev) or (prev and prev in CLOSERS)) and not nxt.isdigit():
            return "。"
        return ch
    if ch in "!?":
        if _is_cjk(prev) or _is_cjk(nxt) or (prev and prev in CLOSERS):
            return "！" if ch == "!" else "？"
    return ch


# A space is dropped unless it separates two Latin words or numbers ("10.61 323.00").
# (the rule as a pattern; ``_delete_spaces`` computes the same deletions with numpy)
_SPACE = re.compile(r" (?:(?<![A-Za-z0-9%+.] )|(?![A-Za-z0-9]))")
# Footnote markers: 1-2 digits glued after punctuation, before a character that is not a unit.
# (digit-first, with the punctuation checked behind the first digit: the engine then scans for
# digits instead of testing the look-behind at every position; same matches)
_FOOTNOTE_MID = re.compile(rf"\d(?<=[。，；：！？”]\d)\d?(?=[{CJK}])(?![{UNIT_CHARS}])")
_FOOTNOTE_END = re.compile(r"\d(?<=[。；！？”]\d)\d?(?=\n|$)")


# ---------------------------------------------------------------------------------------------
# Line assembly


def _starts_with_label(line: str) -> bool:
    return bool(ITEM_LABEL.match(line))


def _assemble_lines(text: str, offs: array) -> tuple[str, array]:
    """Join wrapped lines, keep paragraph breaks, drop blank and page-number lines."""
    # Content lines as (start, end, indented, width of the whole physical line) in current
    # coordinates; a physical line is split into sub-lines at runs of 2+ spaces.
    lines: list[tuple[int, int, bool, int]] = []
    page_marks: set[int] = set()
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl == -1:
            nl = n
        line = text[pos:nl]
        stripped = line.strip(" ")
        if stripped and stripped[0] in _PAGE_NUMBER_START and _PAGE_NUMBER.match(line):
            page_marks.add(len(lines))  # a page break between lines[-1] and the next line
        elif stripped:
            lead = len(line) - len(line.lstrip(" "))
            body = line[lead:].rstrip(" ")
            width = _visual_width(body)
            if "  " not in body:  # the common case: one content segment
                lines.append((pos + lead, pos + lead + len(body), lead >= 2, width))
                pos = nl + 1
                continue
            first = True
            seg_start = pos + lead
            for part in _MULTI_SPACE.split(body):
                if part:
                    idx = text.find(part, seg_start, nl)
                    lines.append((idx, idx + len(part), lead >= 2 if first else True, width))
                    seg_start = idx + len(part)
                first = False
        pos = nl + 1
    if not lines:
        return "", array("q", [offs[-1]])

    widths = sorted(w for s, e, _, w in lines if e - s >= 10) or [80]
    wrap_width = widths[int(len(widths) * 0.8) - 1 if len(widths) > 1 else 0]
    drop = _page_furniture(text, lines, page_marks, wrap_width) if len(lines) > 2 else set()

    pieces: list[str] = []
    starts: list[int] = []  # ranges of ``offs`` that make the new offset map, in order
    ends: list[int] = []
    prev_line = ""
    prev_end = 0
    prev_width = 0
    depth = 0  # open brackets in the current paragraph: a paragraph never ends inside （…）
    for k, (s, e, indented, width) in enumerate(lines):
        if k in drop:
            continue
        line = text[s:e]
        if pieces:
            if _is_break(prev_line, line, indented, prev_width, wrap_width, inside_brackets=0 < depth <= 3):
                pieces.append("\n")  # maps to the character after the previous line (e <= n)
                starts.append(prev_end)
                ends.append(prev_end + 1)
                depth = 0
            elif prev_line[-1] == "-" and len(prev_line) >= 2 and _is_cjk(prev_line[-2]) and _is_cjk(line[0]):
                pieces[-1] = pieces[-1][:-1]  # a line-break hyphen inside a word: 区卫生健-\n康委
                ends[-1] -= 1
        pieces.append(line)
        starts.append(s)
        ends.append(e)
        depth += line.count("（") - line.count("）")
        prev_line, prev_end, prev_width = line, e, width
    starts.append(len(offs) - 1)  # the end position
    ends.append(len(offs))
    return "".join(pieces), _gather(offs, starts, ends)


# a page holds more lines than this: lines repeated next to closer "page numbers" are table
# cells beside the serial numbers of rows (1 / 2 / 3 alone on their lines), not page furniture
_PAGE_MIN_LINES = 8
_FURNITURE_MAX = 30  # characters of a running header/footer or watermark line
_WATERMARK_LINE = re.compile(rf"[{CJK}A-Za-z]{{4,20}}")  # words, no numbers or punctuation


def _page_furniture(text: str, lines: list[tuple[int, int, bool, int]], page_marks: set[int], wrap_width: int) -> set[int]:
    """Indices of ``lines`` that are page furniture, not text: a short line repeated at page
    breaks (next to a page-number line at two or more of them) is a running header/footer
    ("静安区人民政府办公室文件" on top of every page); a short line without punctuation repeated
    in the middle of sentences (the line before it wraps unfinished, the line after goes on) is a
    watermark ("XX政务公开专用"). Either is dropped and the sentence around it joined; an
    occurrence away from page breaks (the red header on page 1) stays."""
    where: dict[str, list[int]] = {}
    for k, (s, e, _indented, _width) in enumerate(lines):
        if e - s <= _FURNITURE_MAX:
            where.setdefault(text[s:e].replace(" ", ""), []).append(k)
    drop: set[int] = set()
    last = len(lines) - 1

    def wrapped(k: int) -> bool:
        return _wrapped_line(text, lines[k], wrap_width)

    for key, ks in where.items():
        if len(ks) < 2 or not key or _starts_with_label(key):
            continue
        near = [k for k in ks if k in page_marks or k + 1 in page_marks]
        if (len(near) >= 2 and 2 * len(near) >= len(page_marks) - 1
                and min(b - a for a, b in zip(near, near[1:])) >= _PAGE_MIN_LINES):
            drop.update(near)  # a running header or footer
            continue
        if _WATERMARK_LINE.fullmatch(key) and all(
            0 < k < last
            and not lines[k][2]
            and wrapped(k - 1)
            and (k >= 2 and wrapped(k - 2) or wrapped(k + 1))
            and not lines[k + 1][2]
            and not _starts_with_label(text[lines[k + 1][0]:lines[k + 1][1]])
            for k in ks
        ):
            drop.update(ks)  # a watermark inside sentences
    return drop


def _wrapped_line(text: str, line: tuple[int, int, bool, int], wrap_width: int) -> bool:
    """A full-width line that does not end its sentence: the paragraph goes on after it."""
    return line[3] >= 0.75 * wrap_width and text[line[1] - 1] not in _SENTENCE_END + CLOSERS


def _is_break(
    prev: str, line: str, indented: bool, prev_width: int, wrap_width: int, inside_brackets: bool = False
) -> bool:
    """Is the line boundary between ``prev`` and ``line`` a paragraph break (else a wrap)?"""
    if ITEM_LABEL.fullmatch(prev):
        return False  # a label alone at the end of a line: its title is on the next line
    if _DOC_NUMBER_LINE.fullmatch(line) or _DOC_NUMBER_LINE.fullmatch(prev):
        return True
    if _FIELD_LINE.match(line):
        return True  # a web page's 发布日期：/来源：/索引号： field starts its own line
    last = prev[-1]
    if last in _SENTENCE_END and not (last == "." and prev[-2:-1].isdigit()):
        return True
    if indented:
        return True
    if _starts_with_label(line):
        return True
    if last in "）)" and _RESP_TAIL.search(prev):
        return True
    if last in "，、,（(“《—-" or inside_brackets:
        return False  # mid-sentence, or inside an open （…） such as a broken （责任\n单位：…）
    return prev_width < 0.75 * wrap_width  # a short physical line ends its paragraph


# A web page's furniture after the document: link lists (相关链接：/相关文件：), download and share
# buttons, the site footer (主办：…  沪ICP备…  网站标识码…). The block starts at a line of this kind,
# runs to the end of the text in short lines only and holds a site-footer line; it is not text.
_WEB_TAIL_START = re.compile(
    r"[ ]*(?:相关(?:文件|链接|阅读|新闻|政策|解读|信息)[ ]*[：:]?[ ]*$|附件下载[ ]*[：:]|分享到|【?打印本页|【关闭窗口|扫一扫"
    r"|网站地图|主办[ ]*[：:]|承办[ ]*[：:]|版权所有|网站标识码|[\u4e00-\u9fff]{0,2}ICP备)"
)
_WEB_FOOTER = re.compile(r"分享到|打印本页|关闭窗口|扫一扫|网站地图|版权所有|ICP备|网站标识码")
_WEB_TAIL_LINES = 30  # non-blank lines searched at the end of the text
_WEB_TAIL_LINE_MAX = 80  # characters of a furniture line (link titles, footer fields)


def _web_page_tail(text: str) -> int:
    """Where a web page's trailing furniture starts (len(text) when there is none). Reads only the
    last lines of the text."""
    end = len(text)
    starts: list[int] = []  # starts of the last non-blank lines, last first
    pos = end
    while pos > 0 and len(starts) < _WEB_TAIL_LINES:
        nl = text.rfind("\n", 0, pos)
        line_start = nl + 1
        line = text[line_start:pos]
        if line.strip():
            if len(line.strip()) > _WEB_TAIL_LINE_MAX:
                break  # a paragraph of the document: the furniture is after it
            starts.append(line_start)
        pos = nl if nl >= 0 else 0
    cut = end
    footer = False
    for line_start in starts:  # from the last line upwards
        nl = text.find("\n", line_start)
        line = text[line_start:nl if nl >= 0 else end]
        footer = footer or bool(_WEB_FOOTER.search(line))
        if footer and _WEB_TAIL_START.match(line):
            cut = line_start
    return cut


# ---------------------------------------------------------------------------------------------


def normalize(raw: str, source_file: str) -> NormalizedText:
    """Normalize ``raw`` (the decoded original text of ``source_file``)."""
    line_starts = [0] + [m.end() for m in LINE_BREAK.finditer(raw)]
    offs = array("q", np.arange(len(raw) + 1, dtype=np.int64).tobytes())
    text = translate_width(raw)  # same length: offsets unchanged
    text = _LONE_CR.sub("\n", text)  # same length
    text, offs = _delete(_ZERO_WIDTH, text, offs)
    text = _ASCII_PUNCT.sub(_ascii_punct, text)  # same length: offsets unchanged
    cut = _web_page_tail(text)
    if cut < len(text):
        text, offs = text[:cut], offs[: cut + 1]
    text, offs = _assemble_lines(text, offs)
    text, offs = _delete_spaces(text, offs)
    text, offs = _delete(_FOOTNOTE_MID, text, offs)
    text, offs = _delete(_FOOTNOTE_END, text, offs)
    return NormalizedText(text=text, offsets=offs, raw=raw, source_file=source_file, _line_starts=line_starts)
