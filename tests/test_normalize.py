"""Stage 2 (normalize): noisy PDF/web text becomes clean paragraphs, and offsets point back."""

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.normalize import normalize


def norm(raw: str) -> str:
    return normalize(raw, "t.txt").text


def test_fullwidth_digits_and_punctuation():
    assert norm("到２０２５年，建设３０个以上项目．") == "到2025年，建设30个以上项目。"
    assert norm("沪府办规 〔２０２３〕２７号") == "沪府办规〔2023〕27号"
    assert norm("«上海市促进在线新经济健康发展的若干政策措施»") == "《上海市促进在线新经济健康发展的若干政策措施》"


def test_ascii_punctuation_in_chinese_text_but_not_in_numbers():
    assert norm("(一)加大支持力度.对企业给予支持,按规定执行:") == "（一）加大支持力度。对企业给予支持，按规定执行："
    assert norm("Web３．０生态、3.5万例、1,000家") == "Web3.0生态、3.5万例、1,000家"


def test_words_broken_across_lines_are_joined_even_inside_a_clause():
    raw = "实现支持.(责任\n\n单位:市经济信\n\n息化委、市科委)\n"
    assert norm(raw) == "实现支持。（责任单位：市经济信息化委、市科委）"


def test_spaced_characters_are_joined_and_double_spaces_break_paragraphs():
    raw = "（ 四 ）打 造 智 能 新 终 端    1.智 能 网 联 汽 车 。加 快 推\n进 3.5 万 例 测 试 集"
    assert norm(raw) == "（四）打造智能新终端\n1.智能网联汽车。加快推进3.5万例测试集"


def test_space_between_numbers_is_kept():
    assert norm("在线医疗 10.61 323.00") == "在线医疗10.61 323.00"


def test_page_numbers_and_footnote_markers_are_removed():
    raw = "上海加速产城融合。\n 5 \n随着经济社会发展。3近年来，成本上升。\n调研发现，4企业享受到的优惠政策。"
    text = norm(raw)
    assert "5" not in text and "3近年" not in text and "4企业" not in text
    assert "近年来" in text and "企业享受到" in text


def test_quantities_after_punctuation_are_not_footnotes():
    assert norm("目标如下：2025年，建设3家平台，5G基站") == "目标如下：2025年，建设3家平台，5G基站"


def test_headings_and_item_labels_start_paragraphs():
    raw = "一、总体要求\n（一）指导思想\n以习近平新时代中国特色社会主义思想为指导，全面贯彻\n党的精神。\n1.\n数字健康。以5G为基础。"
    paras = norm(raw).split("\n")
    assert paras == ["一、总体要求", "（一）指导思想", "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的精神。", "1.数字健康。以5G为基础。"]


def test_offsets_trace_back_to_original_line_and_text():
    raw = "标题\n\n1．建设100家以上无人工厂。（责任部门：市经济信\n息化委、市科委）\n"
    nt = normalize(raw, "doc.txt")
    i = nt.text.index("市经济信息化委")
    span = nt.span(i, i + len("市经济信息化委"))
    assert span.line == 3
    assert span.text == "市经济信息化委"
    assert raw[span.start:span.end] == "市经济信\n息化委"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("上海市经济信息化委（）()：:，,。.、 \n　１２3４5一二是年月日%＋«»责任单位") + ["\r\n", "  ", "\t"]), max_size=120).map("".join))
def test_never_crashes_and_offsets_point_into_the_original(raw):
    nt = normalize(raw, "p.txt")
    assert len(nt.offsets) == len(nt.text) + 1
    for i, ch in enumerate(nt.text):
        o = nt.offsets[i]
        assert 0 <= o < len(raw)
        if ch.isdigit() and ch.isascii():
            # a digit comes from a digit (ASCII or full-width) in the original
            assert raw[o].isdigit()
    offs = list(nt.offsets[:-1])
    assert offs == sorted(offs)


def test_a_field_line_is_never_joined_to_the_title_above():
    """Web pages put 发布日期：/来源： under a short title; even where every line is short (so a
    short line is no evidence of a paragraph end) the field starts its own paragraph."""
    raw = ("关于支持智能终端\n产业发展的政策解读\n发布日期：2024-05-20\n来源：市经济信息化委\n"
           "一、出台背景\n为贯彻落实\n有关部署。\n")
    text = normalize(raw, "x.txt").text
    assert "关于支持智能终端产业发展的政策解读\n发布日期：2024-05-20\n来源：市经济信息化委\n" in text


def test_page_numbers_with_page_count_are_removed():
    for line in ("第 3 页 共 8 页", "第3页/共8页", "共8页 第3页", "第３页，共８页", "3/8", "- 3 -"):
        raw = f"加快建设智能工厂，到2025年建成\n{line}\n100家以上。"
        assert norm(raw) == "加快建设智能工厂，到2025年建成100家以上。", line


def _pages(header: str, watermark: str = "") -> str:
    body = [
        "为加快推进本区先进制造业发展，结合实际制定",
        "本措施。",
        "　　一、支持企业扩大投资。对固定资产投资",
        "超过1亿元的项目，按照实际投资额的5%给予补",
        "贴，单个项目最高不超过1000万元。",
        "　　二、支持企业技术改造。对智能化改造项目",
        "按照设备投资额的10%给予支持，最高200",
        "万元；对认定为智能工厂的企业给予奖励。",
        "　　三、支持企业品牌建设。对获评市级品牌",
        "的企业，给予一次性奖励，最高不超过50",
        "万元。责任单位：区经委、区财政局、区市",
        "场监管局。",
        "　　四、支持企业开拓市场。对参加国际展会的",
        "企业，按照展位费的50%给予补贴，每家企业每",
        "年最高不超过20万元。责任单位：区商务委。",
        "　　五、支持企业引进人才。对企业引进的高层",
        "次人才，给予最高30万元安家补贴。",
    ]
    if watermark:
        body.insert(4, watermark)
        body.insert(15, watermark)
    page1, page2, page3 = body[:7], body[7:16], body[16:]
    return "\n".join([header, "", *page1, "第 1 页 共 3 页", header, *page2, "第 2 页 共 3 页", header, *page3, "第 3 页 共 3 页"])


def test_running_header_at_page_breaks_is_removed_and_the_sentence_joined():
    header = "徐汇区人民政府办公室文件"
    text = norm(_pages(header))
    assert text.count(header) == 1 and text.startswith(header)  # the page-1 header stays
    assert "对智能化改造项目按照设备投资额" in text and "每家企业每年最高" in text and "页" not in text


def test_watermark_inside_sentences_is_removed():
    text = norm(_pages("徐汇区人民政府办公室文件", watermark="内部资料注意保密"))
    assert "内部资料" not in text
    assert "按照实际投资额的5%给予补贴，" in text and "每家企业每年最高" in text


def test_repeated_lines_that_are_not_furniture_stay():
    # table cells beside row numbers (1 / 2 / 3 look like page numbers) and repeated data cells
    raw = "\n".join(["序号", "任务", "责任单位", "完成时限",
                     "1", "推进智能工厂建设，新建智能工厂50家", "区经委、区科委", "2025年12月底",
                     "2", "培育专精特新企业，新增专精特新企业100家", "区经委", "2025年12月底",
                     "3", "建设工业互联网平台，打造行业平台5个", "区经委、区数据局", "2025年12月底"])
    assert norm(raw).count("2025年12月底") == 3
    # a short line repeated as a paragraph of its own is text
    raw = "一、工作目标\n推进落实。\n二、工作措施\n推进落实。"
    assert norm(raw).count("推进落实") == 2


def test_line_break_hyphen_inside_a_chinese_word_is_removed():
    assert norm("（责任单位：区卫生健-\n康委、区医保局）") == "（责任单位：区卫生健康委、区医保局）"
    assert norm("（责任单位：市经济信－\n息化委）") == "（责任单位：市经济信息化委）"
    # a dash between words and a hyphen in Latin text stay
    assert norm("推动研发—\n临床一体化") == "推动研发—临床一体化"
    assert norm("支持5G-\nA网络建设") == "支持5G-A网络建设"


def test_web_page_furniture_after_the_document_is_dropped():
    raw = (
        "各区要抓好落实，确保各项任务取得实效。\n\n"
        "相关链接：\n2023年闵行区政府工作报告\n闵行区2023年统计公报\n"
        "分享到：微信　微博\n主办：上海市闵行区人民政府办公室　　沪ICP备00000000号-1\n"
    )
    nt = normalize(raw, "t.txt")
    assert nt.text == "各区要抓好落实，确保各项任务取得实效。"
    assert nt.span(0, len(nt.text)).line == 1
    # without a site footer, short closing lines are the document's (a signature, a date)
    raw = "各区要抓好落实。\n\n相关文件：\n上海市人民政府办公厅\n2024年5月30日\n"
    assert "上海市人民政府办公厅" in norm(raw)
    # a 主办： line inside the document (an event's organiser) is kept
    raw = "举办人工智能大会。\n主办：市经济信息化委\n承办：市人工智能行业协会\n会议期间开展项目签约。\n"
    assert "主办：市经济信息化委" in norm(raw)
