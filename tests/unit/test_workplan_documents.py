"""Plans from .txt, .docx and .pdf: the same parser over paragraphs, Word paragraphs (with
their bold lead phrase) and a PDF's text layer (printed lines that wrap)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from cityops.domain.workplan.model import Level
from cityops.domain.workplan.outline import SourceLine
from cityops.domain.workplan.parser import parse_plan, parse_plan_text
from cityops.errors import ValidationError
from cityops.services.workplan.documents import read_bytes, read_document
from cityops.services.workplan.preview import read_units_csv

HEAD = ["某市城市管理局", "2026年工作要点", "2026年，城市管理工作思路是：精细管理。"]


def make_docx(paragraphs: list[tuple[str, str]]) -> bytes:
    """Paragraphs as (bold lead phrase, rest)."""
    doc = Document()
    for bold, rest in paragraphs:
        p = doc.add_paragraph()
        if bold:
            p.add_run(bold).bold = True
        if rest:
            p.add_run(rest)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose text layer holds ``pages`` of printed lines: a Type0 font with an
    identity encoding and a ToUnicode map, so text extraction returns the characters."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    chars = sorted({ord(c) for page in pages for line in page for c in line})
    bfchar = "\n".join(f"<{c:04X}> <{c:04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry "
        b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 "
        b"/CIDToGIDMap /Identity >>" % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    pages_id = len(objects) + 2 * len(pages) + 1
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "50 800 Td"]
        ops += ["<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*" for line in lines]
        content = "\n".join([*ops, "ET"]).encode()
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font "
                b"<< /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, font, stream)
            )
        )
    refs = " ".join(f"{k} 0 R" for k in kids).encode()
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def test_a_word_plan_is_parsed_with_its_bold_lead_phrases() -> None:
    content = make_docx(
        [("", h) for h in HEAD]
        + [
            ("", "一、加强党的建设"),
            ("1. 加强思想建设", "。严格落实学习制度。（牵头单位：机关党委；责任单位：各科室）"),
            ("2. 推动正风肃纪：", "压实责任，年底前完成廉政风险点排查100处。"),
            ("", "二、提升市容"),
            ("3. 规范摊区设置。", "6月底前至少设置20处潮汐摊区。"),
            ("", "责任单位：市容管理科"),
        ]
    )
    doc = read_bytes("plan.docx", content)
    assert doc.wrapped is False
    plan = parse_plan(doc.lines, wrapped=doc.wrapped)
    assert (plan.issuer, plan.year, plan.title) == ("某市城市管理局", 2026, "2026年工作要点")
    assert [t.number for t in plan.tasks] == [1, 2, 3]
    # The bold run is the title even where it does not end with 。
    assert [t.title for t in plan.tasks] == ["加强思想建设。", "推动正风肃纪：", "规范摊区设置。"]
    assert plan.tasks[0].lead_units == ("机关党委",)
    assert plan.tasks[2].responsible_units == ("市容管理科",)  # a unit line of its own
    assert [t.subject for t in plan.tasks[2].targets] == ["潮汐摊区"]
    assert [n.heading for n in plan.tasks[2].outline] == ["提升市容"]


def test_a_pdf_text_layer_is_parsed_with_wrapped_lines_joined() -> None:
    content = make_pdf(
        [
            [
                *HEAD,
                "一、加强党的建设",
                "1. 加强思想建设。严格落实“第一",
                "议题”制度。(牵头单位:机关党",
                "委,责任单位:局属各单位)",
            ],
            [
                "- 2 -",
                "2. 提升城市照明品质。确保亮灯率",
                "99%以上,9月底前完成改造。",
                "(牵头单位:市政设施科)",
            ],
        ]
    )
    doc = read_bytes("plan.pdf", content)
    assert doc.wrapped is True
    plan = parse_plan(doc.lines, wrapped=doc.wrapped)
    assert plan.year == 2026 and len(plan.tasks) == 2
    first, second = plan.tasks
    assert first.text.startswith("加强思想建设。严格落实“第一议题”制度。")
    assert (first.lead_units, first.responsible_units) == (("机关党委",), ("局属各单位",))
    assert [(t.subject, t.value) for t in second.targets] == [("亮灯率", 99)]
    assert [d.text for d in second.deadlines] == ["9月底前"]
    assert second.lead_units == ("市政设施科",)
    assert "- 2 -" not in second.text


def test_a_pdf_without_a_text_layer_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        read_bytes("scan.pdf", make_pdf([[" "]]))
    assert info.value.code == "workplan.pdf_no_text"


def test_a_text_file_in_gb18030_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("\n".join([*HEAD, "一、总体", "1. 做好工作。年内完成。"]).encode("gb18030"))
    doc = read_document(path)
    plan = parse_plan(doc.lines)
    assert plan.year == 2026 and [t.title for t in plan.tasks] == ["做好工作。"]


PLAN_TEXT = "\r\n".join([*HEAD, "一、总体", "1. 做好工作。年内完成。（牵头单位：市容管理科）"])


@pytest.mark.parametrize(
    "content",
    [
        PLAN_TEXT.encode("utf-16"),  # Notepad's "Unicode": little endian with BOM
        b"\xfe\xff" + PLAN_TEXT.encode("utf-16-be"),  # "Unicode big endian"
        PLAN_TEXT.encode("utf-8-sig"),
        PLAN_TEXT.encode("utf-8"),
        PLAN_TEXT.encode("gbk"),  # Windows "ANSI" in a Chinese office
        PLAN_TEXT.encode("gb18030"),
    ],
    ids=["utf-16-le-bom", "utf-16-be-bom", "utf-8-bom", "utf-8", "gbk", "gb18030"],
)
def test_text_files_in_the_encodings_of_chinese_offices_are_read(content: bytes) -> None:
    doc = read_bytes("plan.txt", content)
    assert [line.text for line in doc.lines] == PLAN_TEXT.split("\r\n")
    plan = parse_plan(doc.lines)
    assert plan.year == 2026 and plan.issuer == "某市城市管理局"
    assert [(t.title, t.lead_units) for t in plan.tasks] == [("做好工作。", ("市容管理科",))]


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe" + PLAN_TEXT.encode("utf-16-le")[:-1],  # UTF-16 cut in the middle of a char
        b"\x81\x30\xff\xfe\x80",  # no encoding reads these bytes
        "2026年工作要点".encode("utf-16-le") * 20,  # UTF-16 without its BOM
        bytes(range(256)) * 4,  # a binary file named .txt
    ],
    ids=["truncated-utf-16", "undecodable", "utf-16-without-bom", "binary"],
)
def test_undecodable_text_files_are_refused_with_a_clear_code(content: bytes) -> None:
    with pytest.raises(ValidationError) as info:
        read_bytes("计划.txt", content)
    assert info.value.code == "workplan.file_encoding"
    assert "“计划.txt”的编码无法识别" in info.value.message and "UTF-16" in info.value.message
    assert info.value.details["name"] == "计划.txt"


def test_a_stray_nul_in_a_text_file_does_not_refuse_it() -> None:
    damaged = PLAN_TEXT.replace("做好", "做\x00好").encode()
    assert "做\x00好工作" in read_bytes("plan.txt", damaged).lines[4].text


def test_a_units_csv_saved_as_unicode_or_gbk_is_read() -> None:
    csv_text = "编码,名称,别名\r\nU-SR,济宁市城市管理局市容管理科,市容科；市容管理科\r\n"
    for content in (csv_text.encode("utf-16"), csv_text.encode("gbk")):
        known, aliases = read_units_csv("units.csv", content)
        assert known == [("U-SR", "济宁市城市管理局市容管理科")]
        assert aliases == {"市容科": "U-SR", "市容管理科": "U-SR"}
    with pytest.raises(ValidationError) as info:
        read_units_csv("units.csv", b"\xff\xfe" + b"x")
    assert info.value.code == "workplan.units_csv.encoding" and "单位对照表" in info.value.message


def test_unsupported_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        read_bytes("plan.xls", b"x")
    assert info.value.code == "workplan.file_type"
    with pytest.raises(ValidationError) as info:
        read_document(tmp_path / "missing.docx")
    assert info.value.code == "workplan.file_missing"
    with pytest.raises(ValidationError) as info:
        read_bytes("broken.docx", b"not a zip")
    assert info.value.code == "workplan.file_unreadable"


def test_numbering_gaps_and_loose_paragraphs_are_shown_not_hidden() -> None:
    plan = parse_plan_text(
        "\n".join(
            [*HEAD, "一、总体", "1. 甲任务。内容甲。", "一段不属于任务的话", "3. 丙任务。内容丙。"]
        )
    )
    assert [t.number for t in plan.tasks] == [1, 3]
    kinds = [(u.kind.value, u.task_seq) for u in plan.unparsed]
    assert ("text", 1) in kinds and ("numbering", 2) in kinds


def test_numbering_may_restart_under_each_part() -> None:
    plan = parse_plan_text(
        "\n".join(
            [*HEAD, "一、甲", "1. 甲一。内容。", "2. 甲二。内容。", "二、乙", "1. 乙一。内容。"]
        )
    )
    assert [(t.seq, t.number) for t in plan.tasks] == [(1, 1), (2, 2), (3, 1)]
    assert plan.unparsed == ()


def test_sub_items_stay_with_their_task() -> None:
    plan = parse_plan_text(
        "\n".join([*HEAD, "1. 甲任务。内容。", "（1）细项一，6月底前完成。", "2. 乙任务。内容。"])
    )
    assert plan.task_level is Level.ITEM and len(plan.tasks) == 2
    assert plan.tasks[0].text.endswith("（1）细项一，6月底前完成。")
    assert [d.text for d in plan.tasks[0].deadlines] == ["6月底前"]


def test_a_task_without_a_lead_phrase_is_reported() -> None:
    long_sentence = "围绕城市精细化管理的各项目标持续用力推动各项工作落地见效" * 3
    plan = parse_plan_text("\n".join([*HEAD, f"1. {long_sentence}。", "2. 乙任务。内容。"]))
    assert plan.tasks[0].title is None
    assert [(u.kind.value, u.task_seq) for u in plan.unparsed] == [("title", 1)]


def test_a_document_without_year_or_tasks_says_so() -> None:
    plan = parse_plan([SourceLine("某局"), SourceLine("一些文字")])
    assert plan.tasks == () and plan.year is None
    assert {u.kind.value for u in plan.unparsed} == {"year", "issuer"}
