"""Stage 1 (read & decode): encodings accepted, bad files rejected with file, line and reason."""

import codecs

import pytest

from loaders.errors import LoadError
from loaders.read import read_document

TEXT = "上海市促进在线新经济发展行动方案\n1．打造标杆性无人工厂。（责任部门：市经济信息化委、市科委）\n"


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b""), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b"")],
)
def test_accepted_encodings_decode_to_the_same_text(tmp_path, encoding, prefix):
    path = tmp_path / "doc.txt"
    path.write_bytes(prefix + TEXT.encode(encoding))
    doc = read_document(path)
    assert doc.text == TEXT
    assert doc.source_file == "doc.txt"


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"   \n\n  ", "empty file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP/Office"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"abc\x00\x01\x02\x03binary", "binary data"),
    ],
)
def test_bad_files_are_reported_with_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError) as exc:
        read_document(path)
    assert "bad.txt" in str(exc.value)
    assert reason in str(exc.value)


def test_invalid_utf8_in_the_middle_names_the_line(tmp_path):
    good = "第一行\n第二行\n".encode("utf-8")
    path = tmp_path / "broken.txt"
    # a lone continuation byte on line 3 in an otherwise ASCII/UTF-8 file that is not GBK either
    path.write_bytes(good + b"abc \xff\xfe\xfd def\n" + "第四行\n".encode("utf-8"))
    with pytest.raises(LoadError) as exc:
        read_document(path)
    assert exc.value.line == 3
    assert "broken.txt:3" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="file not found"):
        read_document(tmp_path / "nope.txt")
