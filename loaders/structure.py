"""Find the structure of a policy document: chapters, measures, nested tasks.

Takes: ``NormalizedText`` (one paragraph per line) and the document kind (from ``metadata``).
Gives: ``Structure``: ``Chapter`` records and ``Measure`` skeletons (number, label, title, full
text, kind, parent, level, source span) -- responsibilities and entities are added by later
stages -- plus the paragraphs that belong to no measure (preamble, chapter introductions,
closing notices), which later stages scan for document-level leads and targets.

Conventions of Chinese government documents that drive the parser:
- numbering styles 第一章 / 一、 / （一） / 1． 1. 1、 / （1） / ① / 一是, nested in order of first
  appearance; chapters are 第X章/第X部分 or 一、 headings; the 第X条 articles of a 办法/规定/细则
  are items (kind measure) titled by their caption: 第一条（目的和依据） -> 目的和依据; an enumeration
  inside an article (第五条…：（一）…（四）) is the article's text, not items;
- item cards "任务一：title" / 举措二： / 专项行动三： are items numbered by the ordinal (一), titled by the
  text after the colon; their labelled lines (工作目标：/主要举措：/牵头单位：/完成时间：) belong to the card,
  and a deadline line (完成时限：…) after any item's responsibility list stays with the item;
- 第X节 headings inside a chapter close the open items (一、 restarts under every 节) and are neither
  chapters nor items; a 专栏 box caption (专栏1 重大工程) also closes them, and the box's 1．… lines
  are its own items (projects when the caption names 工程/项目) until a label of the style used
  before the box; a table note "注：…" does not end the numbered text (its numbered lines are
  notes) -- numbering resumes at the next chapter heading;
- labels are accepted only when they continue a sequence: the next sibling number, 1 for a
  first child, or the next number of the same style anywhere before (items numbered across
  chapters, e.g. 1．…23． over four chapters, or （一）…（二十） over six) -- so a wrapped line that
  happens to start with "2." or "（三）" is not mistaken for an item;
- a heading's title is its first sentence (up to 。；：), the rest of the paragraph is body text; a long
  title (over 60 characters not counting punctuation) is cut at its first comma; an un-captioned article
  (第三条　…) is titled by its whole first sentence (to 。, or ； unless a further 情形 "…的，" follows);
- a notice's 一、 points that are sentences themselves ("二、请各区…，…。", nothing numbered) are items;
- a measure ends with its responsibility clause （责任部门：…）, or with a list on a line of its own
  after it (责任部门：… / 牵头部门：… then 协同部门：…): unnumbered paragraphs after a closed measure
  (closing paragraphs, notices, 抄送) are not part of it;
- items under 指导思想/基本原则 are preamble, 目标 items are goals, 重点任务 items are tasks,
  支撑工程/重大工程 items are projects, research articles yield recommendations only from their
  recommendations chapter (对策建议/举措建议 …);
- a 一、 heading with nothing numbered below it whose paragraph closes with a responsibility clause
  is an item even where other 一、 headings are chapters ("三、推动数字化转型。…（责任单位：…）"
  between chapters with numbered items); the body sentences of a chapter heading ("一、做强先导
  产业。聚焦…，到2027年规模达到2万亿元。" above its items) are the chapter's text, read for
  document-level targets and places;
- a 政策解读 (kind ``interpretation``: 问/答 explaining a policy issued elsewhere) has no items of its
  own -- its 一是/（一） points restate the policy -- so all its paragraphs are free text;
- the 主送 line of a notice (各区人民政府，市政府各委、办、局： / 嘉定工业区、菊园新区管委会，…：)
  addresses units: it is neither an item nor document text (also when glued to the title line:
  "…的通知各区人民政府，…：" keeps the title);
- a DOCX list typed as characters: ● bullets are items numbered by position in their chapter (1, 2, …;
  no number is written), ◆ lines are the text of the ● item above them, and a ■ line with a short
  title is a part heading above the 一、 chapters: it closes them, its title classifies the items below
  (■ 重点任务 -> tasks) and names the part of the free paragraphs under it (``part_titles``);
- a list on a line of its own closing a chapter of several items, none of the earlier ones with a
  list line of its own ("●甲。" "●乙。（牵头：A）" "●丙。" "责任单位：A、B、C") is the chapter's
  (``chapter_lists``): the pipeline gives it to every item without a list of its own;
- a paragraph after the closing point of an enumeration its parent introduced with a colon
  ("（2）…按以下标准补贴：" "①…；" "②…。" "单个企业最高…。（责任单位：…）") is the parent's again;
- a （一） heading that is only a title ("（一）北部宝山：打造…", no body sentence) over numbered items
  is a section heading (``section_heads``): without a list of its own, its words (places, targets) are
  the document's, not a measure's;
- a section reviewing the past (一、2024年工作回顾 / 过去一年) has no items: its （一）… are its text;
- 一是… items at the top level are one paragraph each (the closing "各区、各部门要…" is document
  text); 特此通知 ends the numbered text; a web page's 相关链接/分享到/主办：/版权所有/ICP备 lines after
  the document are not text at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from loaders.normalize import NormalizedText
from loaders.records import Chapter, Measure, MeasureKind

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_to_int(s: str) -> Optional[int]:
    """Chinese numeral (一 … 九十九, 一百 …) to int; None when not a numeral."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN = "一二三四五六七八九十百零〇"

# style name -> regex matching the label at the start of a paragraph; group "n" is the number.
LABEL_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("chapter_di", re.compile(rf"第(?P<n>[{_CN}]+)(?:章|部分|篇)\s*")),
    # an item card: "任务一：title" / "举措二：" / "专项行动三：" then labelled lines (工作目标：/牵头单位：…)
    ("card", re.compile(rf"(?:重点|专项|主要)?(?:任务|举措|措施|行动|工程|项目)(?P<n>[{_CN}]{{1,3}}|\d{{1,2}})\s*[：:]\s*")),
    ("article", re.compile(rf"第(?P<n>[{_CN}]+)条\s*")),
    ("chapter_cn", re.compile(rf"(?P<n>[{_CN}]{{1,3}})\s*[、，]\s*")),
    ("paren_cn", re.compile(rf"（\s*(?P<n>[{_CN}]{{1,4}})\s*）\s*")),
    ("paren_arabic", re.compile(r"（\s*(?P<n>\d{1,3})\s*）\s*")),
    ("arabic", re.compile(r"(?P<n>\d{1,3})\s*[.．、](?![\d%.．])\s*")),
    ("circled", re.compile(rf"(?P<n>[{CIRCLED}])\s*")),
    ("shi", re.compile(r"(?P<n>[一二三四五六七八九十]{1,3})是")),
    # a bullet typed as a character (a DOCX list converted to text: "●\t建设平台。…"): no number is
    # written -- the item is numbered by its position among the bullets of its chapter (1, 2, 3 …)
    ("bullet", re.compile(r"(?P<n>[●•])\s*")),
)
CHAPTER_STYLES = ("chapter_di", "chapter_cn")

_TITLE_END = re.compile(r"[。；！？]|：(?!\s*$)")
# An article's caption: 第一条（目的和依据） / 第一条【目的】 -- the caption is the article's title.
_CAPTION = re.compile(r"^\s*[（(【〔]\s*(?P<c>[^（）()【】〔〕\n]{1,30}?)\s*[）)】〕]")
# A responsibility list on a line of its own after an item (no brackets):
# "责任部门：区科委、区经委" / "牵头部门：区经委  协同部门：…" / "配合单位：…".
RESP_LINE = re.compile(
    r"^\s*(?:主要)?(?:责任|牵头|主责|配合|协同|协办|参与)\s*(?:部门|单位|处室|机构|主体)\s*[：:]"
)
_RESP_CLAUSE_END = re.compile(
    r"[（(]\s*(?:责任|牵头|主要责任|配合|负责|实施|承办|协办)(?:部门|单位|处室|机构)?[^（）]*[）)][。；]?\s*$"
    # "…（区科委牵头，各街镇配合）。" / "（A、B按职责分工负责）"
    r"|[（(][^（）()\n]{2,120}?(?:牵头|配合|按职责分工负责|分别负责)[^（）()\n]{0,120}[）)][。；]?\s*$"
    # unbracketed, as the paragraph's last sentence: "…。责任单位：区发展改革委、区商务委。"
    r"|[。；;！？]\s*(?:主要)?(?:责任|牵头|主责|负责)\s*(?:部门|单位|处室|机构)\s*[：:][^。！？（）()\n]{2,200}[。．.]?\s*$"
)

# The 主送 line of a notice: groups of addressees separated by ，, each ending with a unit word (a
# group may share its suffix: 嘉定工业区、菊园新区管委会), closed by a colon, before the body.
_ADDRESSEE_GROUP = r"[^，,：:\n]{1,60}?(?:政府|委员会|委|办|局|厅|管委会|单位|部门|办事处|街道|机关|团体|集团|公司|企业|中心|院)(?:[（(][^（）()\n]{1,20}[）)])?"
ADDRESSEES = re.compile(rf"^\s*(?!(?:主要)?(?:责任|牵头|主责|配合|协同|协办|参与))"
                        rf"{_ADDRESSEE_GROUP}(?:\s*[，,]\s*{_ADDRESSEE_GROUP})*\s*[：:]\s*$")

# Back matter ends the numbered structure: notes, references, distribution lists.
BACK_MATTER = re.compile(
    r"^(?:(?:注释|参考文献|附注|主题词|注)\s*[：:]?\s*$|(?:注释|注|抄送|主题词|参考文献)\s*[：:]|（此件公开发布）)"
)
# The closing formula of a notice (特此通知。): the numbered text has ended; the signature follows.
CLOSING_FORMULA = re.compile(r"^\s*特此(?:通知|通告|公告|函告|批复|函复)\s*[。.！!]?\s*$")
# Page furniture of a web page after the document (相关链接/相关文件 lists, share buttons, the site
# footer 主办：…/承办：…/版权所有/网站标识码/…ICP备…): not document text at all.
# The first line of a web page's furniture after the document (a 相关文件 sidebar, share and print
# buttons, the site map link); also used by loaders.metadata (its 《…》 links are not citations).
FURNITURE_LINE = (r"相关(?:文件|链接|阅读|新闻|政策|解读|信息)\s*[：:]?\s*$|附件下载\s*[：:]|分享到\s*[：:]|【打印本页】|【关闭窗口】"
                  r"|扫一扫|网站地图")
WEB_FURNITURE = re.compile(rf"^\s*(?:{FURNITURE_LINE}|版权所有|网站标识码|.{{0,20}}ICP备)")
# A site footer naming the site's owner (主办：上海市某区人民政府办公室): furniture among the last lines only
# (a card's "主办单位：" line inside the document is text).
SITE_OWNER = re.compile(r"^\s*(?:网站)?(?:主办|承办)(?:单位)?\s*[：:]\s*\S.{0,40}(?:办公室|办公厅|政府|委员会|局|中心|公司)")
FOOTER_LINES = 6  # the last paragraphs of a page, where a site footer sits
# A part heading of a DOCX text ("■\t重点任务"): a solid-square bullet before a short title, above the
# 一、 chapters. It closes the open chapter and items; its title classifies the items below it
# (重点任务 -> tasks) and the un-numbered paragraphs under it (保障措施: a document-level lead).
PART = re.compile(r"^\s*[■▌◼]\s*(?P<t>[^。；;！？\n]{1,30})$")
# An attachment restarts numbering (e.g. 附件：重点任务分工表).
ATTACHMENT = re.compile(r"^附件\s*\d*\s*[：:]?")
# A note under a table or figure ("注：[ ]内为五年累计数。"): the text after it is not numbered until
# the next chapter heading (a bare "注：" / "注释" line is back matter: the numbered text has ended).
NOTE_LINE = re.compile(r"^\s*注\s*[：:]\s*\S")
# A section heading inside a chapter (第一节 推动…): it closes the open items; numbering restarts
# below it (一、 二、 in every 节) -- the heading is neither a chapter nor an item.
SECTION = re.compile(rf"^\s*第[{_CN}]+节\s*[：:]?\s*[^。；;！？\n]{{0,40}}$")
# A box caption (专栏1 重大工程 / 专栏二：…): a short line; the numbered lines below it are the box's
# items (projects when the caption names 工程/项目), not children of the item before the box.
BOX = re.compile(rf"^\s*专栏\s*(?:\d{{1,2}}|[{_CN}]{{1,3}})\s*[：:]?\s*(?P<t>[^。；;！？\n]{{0,40}})$")
# A labelled line of an item card (任务一：… then 工作目标：/主要举措：/完成时间：…), and the deadline
# line after any item's responsibility list (完成时限：2025年底): part of the item.
FIELD_LINE = re.compile(r"^\s*[\u4e00-\u9fff]{2,6}\s*[：:]")
DEADLINE_LINE = re.compile(r"^\s*(?:完成|办结)?(?:时间|时限|期限|时间节点)\s*[：:]")

RECOMMENDATION_CHAPTER = re.compile(r"建议|对策|举措|措施|路径|思路|政策|着力点|抓手|计划")
PREAMBLE_ITEM = re.compile(r"^(?:指导思想|基本原则|总体思路|工作原则|编制依据|主要原则|发展基础|发展环境|面临形势|形势|背景)")
GOAL_ITEM = re.compile(r"目标|预期")
GOAL_CHAPTER = re.compile(r"目标")
PROJECT_CHAPTER = re.compile(r"工程|项目")
TASK_CHAPTER = re.compile(r"任务|重点领域|主要内容")
ANALYSIS_CHAPTER = re.compile(r"形势|现状|基础|环境|问题|分析|特征|内涵|比较|经验|借鉴")


@dataclass
class Label:
    style: str
    number: str  # as written, without brackets/punctuation
    value: int
    label: str  # as written, e.g. "（十四）"
    end: int  # offset in the paragraph where the heading text begins


def parse_label(paragraph: str) -> Optional[Label]:
    for style, rx in LABEL_PATTERNS:
        m = rx.match(paragraph)
        if not m:
            continue
        n = m.group("n")
        if style == "bullet":
            if not re.search(r"[。；;：:]", paragraph[m.end():]):
                continue  # a bullet item is a sentence ("• 首页" / "• 政务公开" menu lines are not items)
            return Label(style, "", 0, n, m.end())  # numbered by position when accepted
        value = CIRCLED.index(n) + 1 if style == "circled" else cn_to_int(n)
        if value is None or value <= 0:
            continue
        rest = paragraph[m.end():]
        if not rest.strip():
            if style in ("chapter_cn", "shi"):
                continue
        if style == "chapter_cn" and rest[:1] in "二三四五六七八九十":
            continue  # "一、二、三类" enumerations
        return Label(style, n, value, paragraph[: m.end()].strip(), m.end())
    return None


@dataclass
class Paragraph:
    start: int
    end: int
    text: str


@dataclass
class Unit:
    """A numbered unit being assembled (chapter or item)."""

    style: str
    value: int
    label: Label
    start: int  # paragraph start offset in the normalized text
    end: int
    title: str
    parent: Optional["Unit"]
    chapter: Optional["Unit"]
    order: int
    closed: bool = False  # ended with a responsibility clause
    closed_by_line: bool = False  # closed by a responsibility list on its own line (责任部门：…)
    leading_list: bool = False  # a responsibility list sits at the start of the item, before its body
    box: Optional[str] = None  # the caption of the 专栏 box the item sits in
    part: Optional[str] = None  # the title of the part heading (■ 重点任务) the unit sits under
    head_end: int = 0  # end of the unit's own (heading) paragraph
    body_paragraphs: list[Paragraph] = field(default_factory=list)
    line_list: list[Paragraph] = field(default_factory=list)  # its list on lines of its own (责任单位：…)


@dataclass
class Structure:
    chapters: list[Chapter]
    measures: list[Measure]
    free_paragraphs: list[tuple[Paragraph, Optional[str]]]  # (paragraph, chapter key or None)
    measure_offsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> normalized span
    # a chapter's own list ("责任单位：A、B、C" on a line of its own closing a chapter of several items):
    # (normalized span of the list, keys of the chapter's items) -- it applies to every item without one
    chapter_lists: list[tuple[tuple[int, int], list[str]]] = field(default_factory=list)
    # the part heading (■ 保障措施) over a free paragraph outside any chapter: paragraph start -> title
    part_titles: dict[int, str] = field(default_factory=dict)
    # items that are only a section heading over numbered items ("（一）北部宝山：打造…" then 1．… 2．…):
    # no body of their own -- their words (places, targets) are the document's when they have no list
    section_heads: set[str] = field(default_factory=set)


def split_paragraphs(text: str) -> list[Paragraph]:
    out: list[Paragraph] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Paragraph(pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def heading_title(paragraph: str, label_end: int, caption: bool = False) -> str:
    rest = paragraph[label_end:]
    cap = _CAPTION.match(rest) if caption else None
    if cap and cap.group("c").strip():
        return cap.group("c").strip()
    if caption:  # an un-captioned article (a 条例's 第三条　…) is titled by its first sentence, whole
        end = len(rest)
        for m in re.finditer(r"[。！？；;]", rest):
            # "…追回已拨付资金；构成犯罪的，依法追究…": a ； before a further 情形 ("…的，") continues it
            if m.group() in "；;" and re.match(r"[^，。；]{1,20}的，", rest[m.end():]):
                continue
            end = m.start()
            break
        return rest[:end].strip(" ：:，,\u3000")
    m = _TITLE_END.search(rest)
    title = rest[: m.start()] if m else rest
    title = title.strip(" ：:，,")
    if len(re.sub(r"[^\w]", "", title)) > 60:  # counted in text characters: quotes, dashes, commas are not
        cut = re.search(r"[，,]", title)
        if cut and cut.start() >= 4:
            title = title[: cut.start()]
        else:
            title = title[:60]
    return title


def parse_structure(nt: NormalizedText, doc_kind: str) -> Structure:
    if doc_kind == "interpretation":
        # a 政策解读 restates a policy: no items, every paragraph (but the 主送 line) is free text
        return Structure(chapters=[], measures=[], free_paragraphs=[
            (p, None) for p in split_paragraphs(nt.text) if not ADDRESSEES.match(p.text)])
    structure, flat = _parse_structure(nt, doc_kind, None)
    if flat:
        structure, _ = _parse_structure(nt, doc_kind, "")
    return structure


def _flat_items(units: list["Unit"], chapter_style: Optional[str], nt: NormalizedText) -> bool:
    """Are the document's 一、 headings items rather than chapters?

    A 若干措施/举措 of a district often numbers its measures 一、二、… with the body in the same paragraph
    ("一、打造产业集聚区。以…为核心…。责任单位：…") and nothing numbered below them. Such headings are
    items: none has a numbered child, and most carry a body sentence after their title.
    """
    if chapter_style != "chapter_cn":
        return False
    heads = [u for u in units if u.style == chapter_style]
    if len(heads) < 2 or any(u.style != chapter_style for u in units):
        return False
    # a heading that is itself a sentence ("二、请各区…会同…，在…内将资金拨付至项目单位。") is a point of a
    # notice, not a chapter's title
    with_body = sum(1 for u in heads if (not _bare_heading(nt.text[u.start:u.end], u)
                    and len(re.sub(r"\s", "", nt.text[u.start:u.end])) > len(u.label.label) + len(u.title) + 6)
                    or (re.search(r"[，,]", u.title or "") and nt.text[u.start:u.end].rstrip().endswith("。")))
    return with_body * 2 > len(heads)


def _parse_structure(nt: NormalizedText, doc_kind: str, forced_chapter_style: Optional[str]) -> tuple[Structure, bool]:
    paragraphs = split_paragraphs(nt.text)
    units: list[Unit] = []
    free: list[tuple[Paragraph, Optional[Unit]]] = []
    stack: list[Unit] = []
    last_value: dict[str, int] = {}
    chapter_style: Optional[str] = None
    labels = [parse_label(p.text) for p in paragraphs]  # once: the loop below reuses them
    styles_present = {lab.style for lab in labels if lab}
    if forced_chapter_style is not None:
        chapter_style = forced_chapter_style or None
    elif "chapter_di" in styles_present:
        chapter_style = "chapter_di"
    elif "chapter_cn" in styles_present:
        chapter_style = "chapter_cn"

    current_chapter: Optional[Unit] = None
    in_back_matter = False
    in_note = False  # after a table's 注：… line, until the next chapter heading
    box: Optional[str] = None  # caption of the 专栏 box being read
    box_outer: set[str] = set()  # item styles used before the box (one of them ends the box)
    part: Optional[str] = None  # title of the part heading (■ 重点任务) being read
    part_heads: list[tuple[int, Optional[str]]] = []  # (offset, title) of part headings and attachments
    free_lists: list[tuple[Paragraph, Unit]] = []  # lists on lines of their own after a closed item
    for index, (p, lab) in enumerate(zip(paragraphs, labels)):
        if not units and lab is None and p.text.rstrip().endswith(("：", ":")):
            cut = _title_before_addressees(p.text)
            if cut is not None:  # "…的通知" + "各区人民政府，…：" joined on one line: the title stays
                free.append((Paragraph(p.start, p.start + cut, p.text[:cut]), None))
                continue
        if not units and ADDRESSEES.match(p.text):
            continue  # the 主送 line (各区人民政府，市政府各委、办、局：) addresses units
        if units and (WEB_FURNITURE.match(p.text) or (index >= len(paragraphs) - FOOTER_LINES and SITE_OWNER.match(p.text))):
            break  # a web page's links, share buttons and footer after the document: not text
        if in_back_matter or ((BACK_MATTER.match(p.text) or CLOSING_FORMULA.match(p.text))
                              and units and not NOTE_LINE.match(p.text)):
            in_back_matter = True
            free.append((p, None))
            continue
        if ATTACHMENT.match(p.text) and units:
            stack.clear()
            last_value.clear()
            current_chapter = None
            box, in_note, part = None, False, None
            part_heads.append((p.start, None))
            free.append((p, None))
            continue
        part_m = PART.match(p.text) if lab is None else None
        if part_m:
            # ■ 重点任务: a part above the chapters closes the open chapter and items
            stack.clear()
            current_chapter = None
            box, in_note = None, False
            part = part_m.group("t").strip()
            part_heads.append((p.start, part))
            free.append((p, None))
            continue
        if units and NOTE_LINE.match(p.text):
            in_note = True
            free.append((p, current_chapter))
            continue
        section = bool(SECTION.match(p.text)) and lab is None
        box_m = BOX.match(p.text) if lab is None else None
        if (section or box_m) and units and not in_note:
            # 第一节 … / 专栏1 重大工程: close the open items (keep the chapter); numbering restarts
            del stack[1 if stack and stack[0].style == chapter_style else 0:]
            if box_m:
                box = box_m.group("t").strip() or "专栏"
                box_outer = {u.style for u in units if u.chapter is current_chapter and u.style != chapter_style}
            else:
                box = None
            free.append((p, current_chapter))
            continue
        accepted = False
        if lab is not None:
            accepted = _accept(lab, stack, last_value, chapter_style)
            if in_note and not (accepted and lab.style == chapter_style):
                accepted = False  # 注：… then 1．…: notes, not items
            if accepted and lab.style not in ("article", chapter_style) and any(u.style == "article" for u in stack):
                accepted = False  # （一）…（四） inside 第五条: an article's enumeration is part of the article
        if in_note and not accepted:
            free.append((p, current_chapter))
            continue
        if accepted and lab is not None:
            in_note = False
            if lab.style == "bullet":  # numbered by its position among its siblings
                sibling = next((u for u in stack if u.style == "bullet"), None)
                value = sibling.value + 1 if sibling is not None else 1
                lab = replace(lab, number=str(value), value=value)
            if lab.style == chapter_style or (box is not None and lab.style in box_outer):
                if box is not None and lab.style != chapter_style:
                    del stack[1 if stack and stack[0].style == chapter_style else 0:]  # the box's items end
                box = None
            is_chapter = lab.style == chapter_style
            if is_chapter:
                stack.clear()  # a chapter heading closes every open unit
            else:
                depth = next((i for i, u in enumerate(stack) if u.style == lab.style), None)
                if depth is not None:
                    del stack[depth:]
            parent = stack[-1] if stack else None
            unit = Unit(
                style=lab.style,
                value=lab.value,
                label=lab,
                start=p.start,
                end=p.end,
                title=heading_title(p.text, lab.end, caption=lab.style == "article"),
                parent=parent,
                chapter=None if is_chapter else current_chapter,
                order=len(units),
                box=None if is_chapter else box,
                part=part,
                head_end=p.end,
            )
            if is_chapter:
                current_chapter = unit
            unit.closed = bool(_RESP_CLAUSE_END.search(p.text))
            stack.append(unit)
            units.append(unit)
            last_value[lab.style] = lab.value
            continue
        # unlabeled paragraph: body of the deepest open unit, unless that unit is closed
        target = stack[-1] if stack else None
        resp_line = bool(RESP_LINE.match(p.text))
        if target is not None and _enumeration_over(target, nt, chapter_style):
            # "(2)…按以下标准补贴：" / "①…；" / "②…。" then a paragraph: the enumeration has ended, the
            # paragraph is the parent's again ("单个企业每年最高不超过2000万元。（责任单位：…）")
            stack.pop()
            target = stack[-1]
        if (target is not None and target.style == "shi" and (target.parent is None or target.parent.style == chapter_style)
                and not resp_line and not DEADLINE_LINE.match(p.text)):
            # a 一是… item at the top of the document is one paragraph: the paragraphs after the last
            # one ("各区、各部门要高度重视…") are the document's closing text
            free.append((p, current_chapter))
            continue
        if target is not None and target.style != chapter_style and (
            not target.closed or (resp_line and target.closed_by_line)  # 牵头部门：… / 协同部门：… lines
            # the labelled lines of a card (…/完成时间：) and a deadline line after a list stay with the item
            or DEADLINE_LINE.match(p.text) or (target.style == "card" and FIELD_LINE.match(p.text))
        ):
            # a clause broken over lines ("…（责任单位：" + "市科委、市财政局）") closes the unit too
            before = nt.text[target.start:p.start].rsplit("\n", 2)[-2] if p.start > target.start else ""
            # a list right under a bare heading ("（一）突破关键技术" / "牵头单位：市科委。") leads
            # the item: the body follows it, so it does not close the item
            leading = resp_line and (target.leading_list or (
                not target.body_paragraphs and _bare_heading(nt.text[target.start:target.end], target)))
            target.body_paragraphs.append(p)
            target.end = p.end
            if leading:
                target.leading_list = True
            elif resp_line:
                target.closed = target.closed_by_line = True
                target.line_list.append(p)
            elif _RESP_CLAUSE_END.search(p.text) or (p.text.endswith(("）", ")")) and _RESP_CLAUSE_END.search(before + p.text)):
                target.closed = True
        else:
            if resp_line and target is not None and target.style != chapter_style:
                free_lists.append((p, target))  # a list line after an item closed by its own clause
            free.append((p, current_chapter))

    # A chapter heading with nothing numbered below it that closes with a responsibility clause
    # (in its paragraph or in the unnumbered paragraphs under it) is an item, not a chapter.
    as_item: set[int] = set()
    if chapter_style is not None:
        with_children = {id(u.chapter) for u in units if u.chapter is not None}
        free_under: dict[int, list[Paragraph]] = {}
        for p, ch in free:
            if ch is not None:
                free_under.setdefault(id(ch), []).append(p)
        for u in units:
            if u.style != chapter_style or id(u) in with_children or _bare_heading(nt.text[u.start:u.end], u):
                continue
            under = free_under.get(id(u), [])
            end = under[-1].end if under else u.end
            if _RESP_CLAUSE_END.search(nt.text[u.start:end]) or (under and RESP_LINE.match(under[-1].text)):
                as_item.add(id(u))
                u.end = end
                u.chapter = None
                u.body_paragraphs = under
        if as_item:
            free = [(p, ch) for p, ch in free if ch is None or id(ch) not in as_item]

    # A list on a line of its own closing a chapter of several items, none of the earlier ones with a
    # list line of its own ("●甲。\n●乙。（牵头：A）\n●丙。\n责任单位：A、B、C"), is the chapter's: it
    # applies to every item of the chapter without a list of its own (not only to the last one).
    chapter_lists: list[tuple[tuple[int, int], list[Unit]]] = []
    if chapter_style is not None:
        chapter_lists, free = _chapter_lists(units, chapter_style, as_item, free, free_lists)

    chapters: list[Chapter] = []
    chapter_keys: dict[int, str] = {}
    for u in units:
        if u.style == chapter_style and id(u) not in as_item:
            key = f"c{len(chapters) + 1}"
            chapter_keys[id(u)] = key
            heading = nt.text[u.start:u.end]
            title = u.title if u.title else heading[u.label.end:]
            chapters.append(
                Chapter(
                    key=key,
                    number=u.label.number,
                    label=u.label.label,
                    title=title,
                    heading=f"{u.label.label}{title}",
                    order=len(chapters),
                    span=nt.span(u.start, u.start + len(u.label.label) + len(title) + 1),
                )
            )

    measures: list[Measure] = []
    measure_offsets: dict[str, tuple[int, int]] = {}
    unit_keys: dict[int, str] = {}
    used_keys: set[str] = set()  # == set(unit_keys.values()); a set keeps big documents linear
    chapter_by_key = {c.key: c for c in chapters}
    skipped: set[int] = set()
    for u in units:
        if id(u) in chapter_keys:
            continue
        chap = u.chapter
        chap_key = chapter_keys.get(id(chap)) if chap else None
        chap_rec = chapter_by_key.get(chap_key) if chap_key else None
        parent = u.parent if u.parent is not None and id(u.parent) not in chapter_keys else None
        if parent is not None and id(parent) in skipped:
            skipped.add(id(u))
            continue
        kind = _kind_of(u, chap_rec.title if chap_rec else "", chapter_style, doc_kind)
        if kind is None:
            skipped.add(id(u))
            continue
        level = 1
        anc = parent
        while anc is not None:
            level += 1
            anc = anc.parent if anc.parent is not None and id(anc.parent) not in chapter_keys else None
        parent_key = unit_keys.get(id(parent)) if parent is not None else None
        base = parent_key or chap_key or "d"
        key = f"{base}.{_style_key(u.style)}{u.value}"
        while key in used_keys:
            key += "'"
        unit_keys[id(u)] = key
        used_keys.add(key)
        end = u.end
        text = nt.text[u.start:end].replace("\n", "")
        measure_offsets[key] = (u.start, end)
        measures.append(
            Measure(
                key=key,
                number=u.label.number,
                label=u.label.label,
                title=u.title,
                text=text,
                kind=kind,
                chapter_key=chap_key,
                chapter=chap_rec.heading if chap_rec else None,
                parent_key=parent_key,
                level=level,
                order=len(measures),
                span=nt.span(u.start, end),
            )
        )
    free_out: list[tuple[Paragraph, Optional[str]]] = [
        (p, chapter_keys.get(id(ch)) if ch else None) for p, ch in free
    ]
    # the part heading (■ 保障措施) over each free paragraph outside the chapters
    part_titles: dict[int, str] = {}
    chapter_starts = sorted(u.start for u in units if id(u) in chapter_keys)
    for p, ch in free:
        if ch is not None:
            continue
        head = next((h for h in reversed(part_heads) if h[0] <= p.start), None)
        if head is None or head[1] is None:
            continue
        if any(head[0] < c < p.start for c in chapter_starts):
            continue
        part_titles[p.start] = head[1]
    # the body sentences of a chapter heading ("一、做强先导产业。聚焦…，到2027年规模达到2万亿元。")
    for u in units:
        if id(u) in chapter_keys:
            body = _heading_body(nt.text[u.start:u.end], u.label.end)
            if body is not None:
                free_out.append((Paragraph(u.start + body, u.end, nt.text[u.start + body:u.end]), chapter_keys[id(u)]))
    # paragraphs of skipped units are free text of their chapter (preamble, analysis)
    for u in units:
        if id(u) in skipped:
            free_out.append((Paragraph(u.start, u.end, nt.text[u.start:u.end]), chapter_keys.get(id(u.chapter)) if u.chapter else None))
    free_out.sort(key=lambda item: item[0].start)
    with_items = {id(u.parent) for u in units if u.parent is not None}
    section_heads = {unit_keys[id(u)] for u in units
                     if id(u) in unit_keys and id(u) in with_items and not u.body_paragraphs
                     and _title_only(nt.text[u.start:u.head_end], u)}
    flat = forced_chapter_style is None and doc_kind != "research_report" and _flat_items(units, chapter_style, nt)
    lists_out = [(span, [unit_keys[id(u)] for u in items if id(u) in unit_keys]) for span, items in chapter_lists]
    return Structure(chapters=chapters, measures=measures, free_paragraphs=free_out, measure_offsets=measure_offsets,
                     chapter_lists=[(span, keys) for span, keys in lists_out if keys], part_titles=part_titles,
                     section_heads=section_heads), flat


def _title_only(heading: str, unit: "Unit") -> bool:
    """Is the heading paragraph a title alone -- no sentence after it, a subtitle after a colon allowed
    ("（一）北部宝山：打造科创主阵地重要承载区", "（一）推进张江科学城高质量发展。")?"""
    rest = heading[unit.label.end:].strip()
    return unit.style not in ("article", "card") and bool(rest) and len(rest) <= 40 \
        and not re.search(r"[。；;！？，,]", rest.rstrip("。.；;"))


TITLE_TYPE = re.compile(r"(?:通知|通报|意见|决定|批复|复函|函)")


def _title_before_addressees(text: str) -> Optional[int]:
    """Where a 主送 line joined to the title line before it begins ("…的通知各区人民政府，…："), else None."""
    for m in TITLE_TYPE.finditer(text):
        if m.start() >= 4 and ADDRESSEES.match(text[m.end():]):
            return m.end()
    return None


def _enumeration_over(unit: "Unit", nt: NormalizedText, chapter_style: Optional[str]) -> bool:
    """Is ``unit`` the closing entry of an enumeration its parent introduced with a colon
    ("（2）…按照以下标准给予补贴：" / "①…；" / "②…。")? The paragraph after it is the parent's."""
    parent = unit.parent
    if parent is None or parent.style in (chapter_style, "article") or unit.closed or unit.body_paragraphs:
        return False
    if not nt.text[parent.start:parent.end].rstrip().endswith(("：", ":")):
        return False
    return nt.text[unit.start:unit.end].rstrip().endswith(("。", "."))


def _chapter_lists(units: list["Unit"], chapter_style: str, as_item: set[int], free: list, free_lists: list):
    """The lists closing a chapter of several items (see above): ((start, end), items) per chapter, and
    the free paragraphs without them. The list is taken out of the last item's text."""
    out: list[tuple[tuple[int, int], list[Unit]]] = []
    taken: set[int] = set()
    by_chapter: dict[int, list[Unit]] = {}
    for u in units:
        if u.chapter is not None:
            by_chapter.setdefault(id(u.chapter), []).append(u)
    free_by_chapter: dict[int, list[Paragraph]] = {}
    for p, c in free:
        if c is not None:
            free_by_chapter.setdefault(id(c), []).append(p)
    for ch in units:
        if ch.style != chapter_style or id(ch) in as_item:
            continue
        inside = by_chapter.get(id(ch), [])
        items = [u for u in inside if u.parent is None or u.parent is ch]
        if len(items) < 2:
            continue
        last = items[-1]
        if any(u.line_list or u.leading_list for u in inside if u.order < last.order):
            continue  # the earlier items have lists of their own: each list is its item's
        holder = max(inside, key=lambda u: u.order)  # the last unit of the chapter (item or sub-point)
        paras: list[Paragraph] = []
        if holder.line_list and holder.body_paragraphs[-len(holder.line_list):] == holder.line_list:
            paras = list(holder.line_list)
        else:
            paras = [p for p, u in free_lists if u is holder]
        if not paras:
            continue
        later = [p for p in free_by_chapter.get(id(ch), []) if p.start > paras[-1].start]
        if later:
            continue  # the list does not close the chapter
        if holder.line_list and paras == holder.line_list:
            holder.body_paragraphs = holder.body_paragraphs[:-len(paras)]
            holder.end = holder.body_paragraphs[-1].end if holder.body_paragraphs else holder.head_end
            holder.line_list = []
        taken.update(p.start for p in paras)
        out.append(((paras[0].start, paras[-1].end), items))
    if taken:
        free = [(p, c) for p, c in free if p.start not in taken]
    return out, free


def _heading_body(heading: str, label_end: int) -> Optional[int]:
    """Offset of the text after a heading's title sentence ("一、甲。<body>"), None when there is none."""
    rest = heading[label_end:]
    m = _TITLE_END.search(rest)
    if m is None or not rest[m.end():].strip():
        return None
    return label_end + m.end()


def _bare_heading(heading: str, unit: "Unit") -> bool:
    """Is the item's paragraph only its label and title (no body sentence after the title)?"""
    rest = re.sub(r"\s|[：:]$", "", heading[unit.label.end:])  # "…技术。" is a sentence, not a bare title
    return unit.style != "article" and bool(rest) and rest == re.sub(r"\s", "", unit.title or "")


def _style_key(style: str) -> str:
    return {"paren_cn": "s", "arabic": "m", "article": "a", "card": "r", "paren_arabic": "p", "circled": "o", "shi": "y", "chapter_cn": "k", "chapter_di": "k", "bullet": "b"}.get(style, "x")


def _accept(lab: Label, stack: list[Unit], last_value: dict[str, int], chapter_style: Optional[str]) -> bool:
    """Does this label continue the document's numbering (else it is ordinary text)?"""
    if lab.style == "bullet":
        return True  # a bullet writes no number: every one continues its list
    for u in stack:
        if u.style == lab.style:
            return lab.value == u.value + 1
    if lab.value == 1:
        return True
    prev = last_value.get(lab.style)
    return prev is not None and lab.value == prev + 1


def _review_heading(title: str) -> bool:
    from loaders.targets import review_heading  # the vocabulary of review headings (target_units.yaml)

    return review_heading(title)


def _kind_of(unit: Unit, chapter_title: str, chapter_style: Optional[str], doc_kind: str) -> Optional[MeasureKind]:
    """The kind of a numbered item, or None when it is not an item (preamble, analysis)."""
    top = unit
    while top.parent is not None and top.parent.style != chapter_style:
        top = top.parent
    top_title = top.title
    if top.style == "article":
        return "measure"  # 第X条 of a 办法/规定/细则: every article is an item
    if top.box is not None and PROJECT_CHAPTER.search(top.box) and doc_kind != "research_report":
        return "project"  # 专栏1 重大工程: the box's numbered lines are projects
    if doc_kind == "research_report":
        if RECOMMENDATION_CHAPTER.search(chapter_title) and not ANALYSIS_CHAPTER.search(chapter_title):
            return "recommendation"
        return None
    if PREAMBLE_ITEM.search(top_title):
        return None
    if chapter_title and _review_heading(chapter_title):
        return None  # 一、2024年工作回顾: its （一）… paragraphs report results, they are not items
    if top.part and not any(rx.search(chapter_title) for rx in (GOAL_CHAPTER, PROJECT_CHAPTER, TASK_CHAPTER)):
        chapter_title = top.part + chapter_title  # ■ 重点任务 over 一、强化…: the part names the kind
    if GOAL_ITEM.search(top_title):
        return "goal"
    if GOAL_CHAPTER.search(chapter_title) and not TASK_CHAPTER.search(chapter_title):
        return "goal"
    if PROJECT_CHAPTER.search(chapter_title):
        return "project"
    if TASK_CHAPTER.search(chapter_title):
        return "task"
    if doc_kind == "five_year_plan" and not re.search(r"保障|措施|实施", chapter_title):
        return "task"
    return "measure"
