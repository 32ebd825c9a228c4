"""Document metadata: title, 文号, issuer, dates, validity, kind, citations.

Takes: ``NormalizedText`` of a whole document (and the gazetteer to canonicalize the issuer).
Gives: ``DocumentMeta``.

Conventions used (Chinese government documents):
- 文号: issuer abbreviation + year in 〔〕/［］/[]/（） + number + 号, e.g. 沪府办发〔2020〕1号
  (also written with full-width digits and spaces: 沪府办规 〔２０２３〕２７号); a 规章 headed by a government
  order ("上海市人民政府令" / "第15号") has the order's number (上海市人民政府令第15号), the government as issuer and
  the 《…》 of its promulgation sentence ("《…》已经…常务会议通过，现予公布") as title (not a citation);
  a 法规 headed by a 人大常委会公告 ("上海市人民代表大会常务委员会公告" / "〔十六届〕第十五号") likewise: the joined 公告
  number is the 文号, the 常委会 the issuer, the 《…》 of "…已由…通过，现予公布" the title;
- title: the 《…》 in "关于印发《…》的通知", else the first heading-like line of the document (not a web page's
  breadcrumb "首页 > 政务公开 > …"; a 主送 line glued to it, "…的通知各区人民政府，…：", is cut off),
  else (research articles) the first sentence of the 摘要;
- issuer: the "X关于印发" / "X关于…的通知" subject (its name may hold brackets: 中国（上海）自由贸易试验区…
  管理委员会), or the signature line before the date; of a
  joint document (上海市经济和信息化委员会 上海市财政局关于印发…, or 上海市商务委员会等八部门) the first unit;
  a title line "X关于…" wrapped over lines is joined up to its type (…的实施意见) and X is the issuer;
  a notice title after a web page's breadcrumb (政策文件 › 关于印发…) takes the page's 来源 field; a title line
  "关于印发《…》的通知" under issuer lines (one unit a line, above or below the 文号) takes the first of them,
  a red header "X文件" being such a line (an empty prefix is never an issuer);
  a "关于…" title line under several issuer lines and the 文号 line (a joint notice; the 主送 line glued to the
  title cut off) takes the first issuer line;
- issued: a date on a line of its own (under the issuer in the header, else under the signature
  at the end of the document; in Arabic or Chinese numerals, 二〇二四年四月十日 with 〇/○/零/O for zero), else the
  first full date (YYYY年M月D日) in the header;
- validity: 自YYYY年M月D日起(施行|实施)，有效期至YYYY年M月D日 / 有效期N年 (to the day before the
  N-th anniversary) / 自印发之日起;
- a 文号 in brackets right after a cited 《…》 title is the cited document's (a 政策解读 quotes the
  number of the policy it explains), not the document's own;
- issuer of a web page without a notice (a 政策解读): its 来源/发布机构 field, when it names a unit;
- kind from the title: 政策解读/解读/答记者问/问答 -> interpretation (checked first: the title quotes
  the explained policy's 行动方案/若干措施), 政府工作报告 -> government_work_report, 申报指南/申报通知/
  申报工作的通知 -> application_guide, 行动方案/行动计划 -> action_plan, (若干)政策措施/若干措施/若干意见 -> policy_measures,
  五年规划/"十四五"规划 -> five_year_plan, 规划 -> plan, 实施意见/指导意见/意见 -> opinions,
  办法/细则/规定 -> regulation, 通知 -> notice; no 文号 and 摘要/关键词/参考文献 -> research_report;
- cites: every 《…》 title of the document (not of the web page furniture after it: 相关文件/相关链接
  links, 分享到, the site footer) other than the document's own and other than a short name it introduces
  (《…》（以下简称《行动方案》） -- 《行动方案》 then stands for the title before it); implements: 《…》 right after
  贯彻落实/落实/贯彻/根据/按照.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Optional

from loaders.normalize import NormalizedText
from loaders.records import DocumentMeta
from loaders.structure import FURNITURE_LINE, cn_to_int

DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12}?)\s*[〔［\[（(【]\s*(?P<year>(?:19|20)\d{2})\s*[〕］\]）)】]\s*(?P<num>\d{1,4})\s*号"
)
DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
# A date alone on its line (the issue date under the issuer or the signature).
DATE_LINE = re.compile(r"(?m)^[ \t]*(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日[ \t]*$")
# A date in Chinese numerals (a signature: 二〇二四年四月十日); the zero is written 〇, ○, 零 or, in OCR
# and typed copies, O / Ｏ / 0.
_CN_ZERO = "〇○零OoＯ０0"
CN_DATE = re.compile(rf"(?P<y>[一二三四五六七八九{_CN_ZERO}]{{4}})\s*年\s*(?P<m>[一二三四五六七八九十]{{1,3}})\s*月"
                     r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")
CN_DATE_LINE = re.compile(r"(?m)^[ \t]*" + CN_DATE.pattern + r"[ \t]*$")
QUOTED_TITLE = re.compile(r"《([^《》\n]{2,120})》")
NOTICE_TITLE = re.compile(r"(?P<issuer>[\u4e00-\u9fff（）()]{2,40}?)(?:关于)?(?:印发|转发|发布)《(?P<title>[^《》]{2,120})》(?:的)?通知")
# A 规章 published by a government order: "上海市人民政府令" / "第15号" heading the document, and the
# promulgation sentence "《…》已经…市政府第52次常务会议通过，现予公布" naming the 规章 itself.
ORDER_HEADER = re.compile(r"^\s*(?P<issuer>[\u4e00-\u9fff]{2,20}?(?:人民政府|政府|委员会))令\s*第\s*(?P<num>\d{1,4})\s*号")
# A 地方性法规 published by a 人大常委会公告: "上海市人民代表大会常务委员会公告" / "〔十六届〕第十五号" heading the
# document -- the 公告 number is the 文号, the 常委会 the issuer, the promulgated 《…》 the title.
ANNOUNCEMENT_HEADER = re.compile(
    r"^\s*(?P<issuer>[\u4e00-\u9fff]{2,30}?常务委员会)公告\s*(?P<num>[〔［\[（(][\u4e00-\u9fff\d]{1,8}[〕］\]）)]\s*"
    r"第\s*[\d一二三四五六七八九十百零〇]{1,6}\s*号)")
PROMULGATION = re.compile(r"《(?P<title>[^《》\n]{2,120})》\s*已(?:经|于|由)[^。《》]{0,80}?(?:通过|审议|决定)[^。《》]{0,20}?现予(?:公布|发布|印发)")
# A web page's breadcrumb ("首页 > 政务公开 > … > 政府工作报告") is page furniture, never a title.
BREADCRUMB = re.compile(r"^[^>›»/\n]{1,12}(?:\s*[>›»]\s*[^>›»\n]{1,20}){2,}$")
# A title line with the 主送 line glued to it ("…工作的通知各区人民政府，市政府各委、办、局：").
TITLE_WITH_SALUTATION = re.compile(
    r"^(?P<title>.{4,80}?的(?:实施|指导)?(?:通知|意见|决定|批复|公告|通告))(?=[^：:]{2,80}[：:]$)")
NOTICE_ISSUER = re.compile(r"^(?P<issuer>[\u4e00-\u9fff]{2,40}?)关于[^\n]{2,120}?的(?:实施|指导)?(?:通知|意见|决定|批复|公告)")
VALID_RANGE = re.compile(
    r"自(?P<from>\d{4}年\d{1,2}月\d{1,2}日|印发之日|发布之日|公布之日)起(?:施行|实施|执行|生效)"
    r"(?:[，,]?\s*有效期(?:至(?P<to>\d{4}年\d{1,2}月\d{1,2}日)|为?(?P<years>\d+|[一二三四五六七八九十]+)年))?"
)
IMPLEMENTS = re.compile(r"(?:贯彻落实|贯彻|落实|根据|按照|依据)(?:[^《》，。；\n]{0,20}?)《([^《》\n]{2,120})》")
# A short name for the title just cited: "（…，以下简称《行动方案》）" -- not a citation of its own.
SHORT_NAME = re.compile(r"(?:以下简称|以下称|下称|简称)\s*[“\"]?《(?P<t>[^《》\n]{1,30})》")
RESEARCH_MARKERS = re.compile(r"【?摘\s*要】?|关键词|参考文献|本文|课题组|调研发现")

KIND_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?:政策)?解读$|解读[）)]?$|答记者问|问答$|一问一答"), "interpretation"),
    (re.compile(r"政府工作报告"), "government_work_report"),
    (re.compile(r"申报指南|申报通知|申报工作的通知"), "application_guide"),
    (re.compile(r"行动方案|行动计划|工作方案|实施方案|三年行动|工作安排|工作要点|任务清单"), "action_plan"),
    (re.compile(r"政策措施|若干措施|若干政策|支持措施|扶持措施|政策意见|若干意见|若干举措|政策举措|支持举措"), "policy_measures"),
    (re.compile(r"“?十[一二三四五六]五”?.*规划|五年规划|发展规划"), "five_year_plan"),
    (re.compile(r"规划|纲要"), "plan"),
    (re.compile(r"实施意见|指导意见|意见"), "implementation_opinions"),
    (re.compile(r"办法|细则|规定|条例"), "regulation"),
    (re.compile(r"通知|公告"), "notice"),
)
# A web page's source field: "发布日期：2024年6月21日　来源：市经济信息化委".
SOURCE_FIELD = re.compile(r"(?:信息来源|来源|发布机构|发文机关|发布单位)\s*[：:]\s*(?P<name>[\u4e00-\u9fff（）()]{2,40})")
# A cited title followed by its number: "《…》（沪府办发〔2024〕18号，以下简称…）".
CITED_NUMBER_BEFORE = re.compile(r"》\s*[（(]\s*$")
# Page furniture of a web page after the document (相关文件/相关链接 sidebars, share and print buttons,
# the site footer): its 《…》 links are not citations.
PAGE_FURNITURE = re.compile(rf"(?m)^[ \t]*(?:{FURNITURE_LINE})")
# A joint issuer written with a count: "上海市商务委员会等八部门" / "市发展改革委等5部门" -- the first signatory.
JOINT_COUNT = re.compile(r"等\s*(?:[一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:个)?(?:部门|单位|委办局|家单位|部委)$")
# The end of a title: the document type after 关于…的 ("…的实施意见", "…的通知").
TITLE_TYPE_END = re.compile(r"的[\u4e00-\u9fff]{0,6}?(?:通知|意见|决定|批复|公告|通告|办法|细则|规定|方案|计划|措施|举措|规划|纲要|要点|清单|报告)$")
HEADER_NOISE = re.compile(r"^(?:.{2,20}文件|.{0,10}〔\d{4}〕.*号|（此件公开发布）|各区人民政府.*|.*：$)")


def _iso(m: re.Match) -> Optional[str]:
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d"))).isoformat()
    except ValueError:
        return None


def _cn_iso(m: re.Match) -> Optional[str]:
    """An ISO date from a CN_DATE match (二〇二四年四月十日 -> 2024-04-10)."""
    digits = "一二三四五六七八九"
    y = "".join("0" if ch in _CN_ZERO else str(digits.index(ch) + 1) for ch in m.group("y"))
    try:
        return date(int(y), cn_to_int(m.group("m")) or 0, cn_to_int(m.group("d")) or 0).isoformat()
    except ValueError:
        return None


def _parse_date(text: str) -> Optional[str]:
    m = DATE.search(text)
    return _iso(m) if m else None


def normalize_doc_number(m: re.Match) -> str:
    return f"{m.group('prefix')}〔{m.group('year')}〕{int(m.group('num'))}号"


def clean_title(title: str) -> str:
    title = re.sub(r"\s+", "", title).strip("《》«»")
    if title.count("“") != title.count("”"):
        title = title.strip("“”")
    return title


def document_kind(title: str, has_doc_number: bool, text: str) -> str:
    if not has_doc_number and RESEARCH_MARKERS.search(text[:3000] + text[-3000:]):
        return "research_report"
    for rx, kind in KIND_RULES:
        if rx.search(title):
            return kind
    return "research_report" if not has_doc_number and "建议" in text else "policy_document"


def _first_of_joint(written: str, resolve) -> Optional[str]:
    """The first issuer of a joint document: "上海市经济和信息化委员会上海市财政局" -> 市经济信息化委
    (the written name splits into known units, the first listed is the lead issuer)."""
    if resolve is None:
        return None

    def split(rest: str) -> Optional[list[str]]:
        if not rest:
            return []
        for i in range(len(rest), 1, -1):
            head = resolve(rest[:i])
            if head:
                tail = split(rest[i:].lstrip("、，, "))
                if tail is not None:
                    return [head, *tail]
        return None

    written = re.sub(r"\s+", "", written)
    counted = JOINT_COUNT.search(written) is not None  # "A等八部门": A is the first of several
    parts = split(JOINT_COUNT.sub("", written))
    return parts[0] if parts and (len(parts) > 1 or counted) else None


def _issuer_then_title(lines: list[str], resolve) -> Optional[tuple[str, str]]:
    """A document issued in its own name (沪委发/沪府发 意见, 决定): a line of issuer names
    ("中共上海市委　上海市人民政府") followed by the title starting with 关于, wrapped over lines
    ("关于进一步激发消费活力…的" / "实施意见") up to the date in brackets, a blank or the salutation."""
    if resolve is None:
        return None
    for k, line in enumerate(lines):
        if not line or HEADER_NOISE.match(line) or len(line) > 40:
            continue
        if not (resolve(line) or _first_of_joint(line, resolve)):
            continue
        # further issuer lines of a joint document and the 文号 line may stand between them
        nxt = next((j for j in range(k + 1, len(lines)) if lines[j] and not DOC_NUMBER.fullmatch(lines[j])
                    and not (len(lines[j]) <= 40 and resolve(lines[j]))), None)
        if nxt is None or not lines[nxt].startswith("关于"):
            continue
        parts: list[str] = []
        for ln in lines[nxt:]:
            glued = TITLE_WITH_SALUTATION.match(ln)  # "…的通知各区经委（商务委）、财政局："
            if glued:
                parts.append(glued.group("title"))
                break
            if not ln or ln.startswith(("（", "(")) or ln.endswith(("：", ":")) or DATE.search(ln) \
                    or re.search(r"[。；，]", ln) or (parts and HEADER_NOISE.match(ln)):
                break
            parts.append(ln)
        title = clean_title("".join(parts))
        if 6 <= len(title) <= 120:
            return line, title
    return None


def _issuer_line_above(header: str, resolve) -> Optional[str]:
    """A notice whose title line names no issuer ("关于印发《…》的通知") under issuer lines
    ("上海市发展和改革委员会" / "江苏省发展和改革委员会" / … above or below the 文号): the first of those
    lines that names a unit (a joint line "A　B" gives A)."""
    for line in header.split("\n"):
        line = line.strip()
        if not line or DOC_NUMBER.search(line):
            continue
        if _NOTICE_VERB.search(line) or line.startswith("关于"):
            return None  # the title line: no issuer line above it
        line = RED_HEADER.sub("", line)  # the red header "上海市…委员会文件" names the issuer
        if len(line) <= 40 and (resolve(line) or _first_of_joint(line, resolve)):
            return line
    return None


# The red header of an official document: the issuer's name followed by 文件.
RED_HEADER = re.compile(r"\s*文件$")


def _wrapped_title(line: str, lines: list[str]) -> str:
    """A "X关于…" title line wrapped over lines ("上海市人民政府关于加快培育高成长性科技企业" /
    "推动创新主体高质量发展的实施意见"): joined until the document type closes it (…的实施意见)."""
    if "关于" not in line or TITLE_TYPE_END.search(line):
        return line
    stripped = [ln.strip() for ln in lines]
    k = stripped.index(line) if line in stripped else -1
    joined = line
    for nxt in stripped[k + 1:k + 4] if k >= 0 else []:
        if not nxt or HEADER_NOISE.match(nxt) or DATE.search(nxt) or re.search(r"[。；，：:]", nxt):
            break
        joined += nxt
        if TITLE_TYPE_END.search(joined):
            return joined
    return line


def _document_part(text: str) -> str:
    """The text without the web page furniture after the document (相关文件：… links, share and print
    buttons, footer): from the first furniture line after which no sentence of prose follows."""
    for m in PAGE_FURNITURE.finditer(text):
        if m.start() < len(text) // 3:
            continue
        rest = text[m.start():]
        if not any(len(ln) > 60 and "。" in ln for ln in rest.split("\n")):
            return text[:m.start()]
    return text


# The fixed cores of DOC_NUMBER and NOTICE_TITLE, whose lazy name prefix (1-12 / 2-40
# characters) is otherwise tried at every position of the header (~1 ms per document): no match
# can start more than the prefix length (and the whitespace before the core) ahead of the first
# core, so the patterns run from there -- the same matches.
_DOC_NUMBER_CORE = re.compile(r"[〔［\[（(【]\s*(?:19|20)\d{2}\s*[〕］\]）)】]\s*\d{1,4}\s*号")
_NOTICE_VERB = re.compile(r"(?:印发|转发|发布)《")


def _from_core(core: re.Pattern, text: str, prefix: int) -> int:
    """Where to start searching ``text`` for a pattern made of a name prefix of at most
    ``prefix`` characters, optional whitespace and then ``core`` (``len(text)``: no match)."""
    m = core.search(text)
    if m is None:
        return len(text)
    i = m.start()
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return max(0, i - prefix)


def extract_metadata(nt: NormalizedText, resolve_issuer=None) -> DocumentMeta:
    """``resolve_issuer(name) -> canonical short name or None`` (the gazetteer's resolver)."""
    text = nt.text
    header = text[:3000]
    compact_header = header.replace("\n", "")

    doc_number = None
    m = next((m for m in DOC_NUMBER.finditer(header, _from_core(_DOC_NUMBER_CORE, header, 12))
              if not CITED_NUMBER_BEFORE.search(header[max(0, m.start() - 8):m.start()])), None)
    if m:
        doc_number = normalize_doc_number(m)
    order = ORDER_HEADER.match(header)
    if doc_number is None and order:
        doc_number = f"{order.group('issuer')}令第{int(order.group('num'))}号"
    announcement = ANNOUNCEMENT_HEADER.match(header)
    if doc_number is None and announcement:
        doc_number = announcement.group("issuer") + "公告" + re.sub(r"\s+", "", announcement.group("num"))
        order = announcement  # published like a 规章: the promulgated 《…》 is the title

    title = None
    issuer_written = None
    nm = NOTICE_TITLE.search(compact_header, _from_core(_NOTICE_VERB, compact_header, 42))
    if nm:
        title = clean_title(nm.group("title"))
        issuer_written = re.sub(r"^.*?(?:号|文件)", "", nm.group("issuer"))
        issuer_written = re.sub(r"关于$", "", issuer_written)  # "关于印发《…》的通知" names no issuer
    if title is None and order:
        pm = PROMULGATION.search(compact_header)
        if pm:
            title = clean_title(pm.group("title"))
            issuer_written = order.group("issuer")
    if title is None:
        lines = [ln.strip() for ln in header.split("\n")[:14]]
        joint = _issuer_then_title(lines, resolve_issuer)
        if joint:
            issuer_written, title = joint
    if title is None:
        for line in header.split("\n")[:12]:
            line = line.strip()
            glued = TITLE_WITH_SALUTATION.match(line)
            if glued and "关于" in glued.group("title"):
                line = glued.group("title")
            if not line or HEADER_NOISE.match(line) or DATE.search(line) or len(line) < 4 or BREADCRUMB.match(line):
                continue
            if re.match(r"^【?摘\s*要】?", line):
                body = re.sub(r"^【?摘\s*要】?[：:]?", "", line)
                first = re.split(r"[。；]", body)[0]
                if len(first) > 40:
                    cut = first.rfind("，", 0, 40)
                    first = first[:cut] if cut >= 10 else first[:40]
                title = first
                break
            if len(line) <= 80 and not re.search(r"[。；]", line):
                title = _wrapped_title(line, header.split("\n")[:14])
                break
    if title is None:
        title = nt.source_file.rsplit(".", 1)[0]
    issuer_written = issuer_written or None  # "政策文件关于印发《…》的通知": a page's breadcrumb, no issuer
    if issuer_written is None and nm and resolve_issuer is not None:
        issuer_written = _issuer_line_above(header, resolve_issuer)
    if issuer_written is None:
        im = NOTICE_ISSUER.search(header) or NOTICE_ISSUER.search(title)
        if im:
            issuer_written = im.group("issuer")
    if issuer_written is None and resolve_issuer is not None:
        sm = SOURCE_FIELD.search(header[:600])
        if sm and resolve_issuer(sm.group("name")):
            issuer_written = sm.group("name")

    issued = None
    # The issue date stands on a line of its own: under the issuer in the header, or under the
    # signature at the end (办法/通知 whose date closes the document); else the first full date
    # of the header.
    # A date line may be written in Arabic or in Chinese numerals (二〇二四年四月十日).
    dated_lines = sorted([(m.start(), _iso(m)) for m in DATE_LINE.finditer(text)]
                         + [(m.start(), _cn_iso(m)) for m in CN_DATE_LINE.finditer(text)])
    dated_lines = [d for d in dated_lines if d[1]]
    head_lines = [d for d in dated_lines if d[0] < 2500]
    if head_lines or dated_lines:
        issued = (head_lines[0] if head_lines else dated_lines[-1])[1]
    else:
        dm = DATE.search(text[:2500])
        cm = CN_DATE.search(text[:2500])
        if dm and (cm is None or dm.start() < cm.start()):
            issued = _iso(dm)
        elif cm:
            issued = _cn_iso(cm)

    valid_from = valid_to = None
    vm = VALID_RANGE.search(text)
    if vm:
        frm = vm.group("from")
        valid_from = issued if frm.endswith("之日") else _parse_date(frm)
        if vm.group("to"):
            valid_to = _parse_date(vm.group("to"))
        elif vm.group("years") and valid_from:
            years = cn_to_int(vm.group("years")) or 0
            start = date.fromisoformat(valid_from)
            try:
                valid_to = (start.replace(year=start.year + years) - timedelta(days=1)).isoformat()
            except ValueError:
                valid_to = None

    own = clean_title(title)
    flat = _document_part(text).replace("\n", "")
    short_names = {clean_title(sm.group("t")) for sm in SHORT_NAME.finditer(flat)}
    cites: list[str] = []
    for qm in QUOTED_TITLE.finditer(flat):
        t = clean_title(qm.group(1))
        if t and t != own and t not in cites and t not in short_names:
            cites.append(t)
    implements: list[str] = []
    for im in IMPLEMENTS.finditer(flat):
        t = clean_title(im.group(1))
        if t and t != own and t not in implements and t not in short_names:
            implements.append(t)

    issuer = None
    if issuer_written:
        issuer = (resolve_issuer(issuer_written) if resolve_issuer else None) or _first_of_joint(
            issuer_written, resolve_issuer) or issuer_written
    kind = document_kind(title, doc_number is not None, text)
    return DocumentMeta(
        source_file=nt.source_file,
        title=title,
        doc_number=doc_number,
        issuer=issuer,
        issued=issued,
        valid_from=valid_from,
        valid_to=valid_to,
        kind=kind,
        cites=cites,
        implements=implements,
        span=nt.span(0, min(len(text), max(text.find("\n", 0, 400), 1))),
    )
