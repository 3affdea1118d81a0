"""Reading a plan from .txt, .docx (python-docx) or .pdf (its text layer, pypdf) into the
paragraphs the parser takes; and decoding the text files Chinese offices save (UTF-8,
GB18030/GBK, Notepad's "Unicode" UTF-16)."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cityops.domain.workplan.outline import SourceLine
from cityops.errors import ValidationError

SUPPORTED = (".txt", ".docx", ".pdf")


@dataclass(frozen=True)
class SourceDocument:
    name: str
    sha256: str
    lines: list[SourceLine]
    wrapped: bool  # a PDF's printed lines, not paragraphs


def read_document(path: Path) -> SourceDocument:
    if not path.is_file():
        raise ValidationError("workplan.file_missing", f"找不到文件：{path.name}", path=str(path))
    return read_bytes(path.name, path.read_bytes())


def read_bytes(name: str, content: bytes) -> SourceDocument:
    suffix = Path(name).suffix.lower()
    digest = hashlib.sha256(content).hexdigest()
    if suffix == ".txt":
        return SourceDocument(name, digest, _text_lines(name, content), wrapped=False)
    if suffix == ".docx":
        return SourceDocument(name, digest, _docx_lines(name, content), wrapped=False)
    if suffix == ".pdf":
        return SourceDocument(name, digest, _pdf_lines(name, content), wrapped=True)
    raise ValidationError(
        "workplan.file_type",
        f"不支持的文件类型“{suffix or name}”，请提供 .txt、.docx 或 .pdf",
        name=name,
        supported=list(SUPPORTED),
    )


def _text_lines(name: str, content: bytes) -> list[SourceLine]:
    return [SourceLine(line) for line in decode_text(name, content).splitlines()]


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # Notepad's "Unicode"
    (codecs.BOM_UTF16_BE, "utf-16"),  # "Unicode big endian"
)
# Control characters other than tab, line and page breaks: a text file has few, if any.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(
    name: str,
    content: bytes,
    *,
    code: str = "workplan.file_encoding",
    what: str = "文本文件",
) -> str:
    """The text of a file in the encodings Chinese offices save: UTF-8 (with or without BOM),
    UTF-16 with its BOM (Notepad's "Unicode", either byte order), else GB18030 (which
    includes GBK and GB2312, Windows' "ANSI" in China). Undecodable bytes, or a text made
    mostly of control characters (a binary file, UTF-16 without BOM), raise ``code``."""
    encodings = [enc for bom, enc in _BOMS if content.startswith(bom)][:1] or ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) > max(4, len(text) // 20):
            break  # decodes, but is not text
        return text
    raise ValidationError(
        code,
        f"{what}“{name}”的编码无法识别，"
        "请另存为UTF-8、GB18030（GBK）或带BOM的UTF-16（记事本的“Unicode”）",
        name=name,
        tried=encodings,
    )


def _docx_lines(name: str, content: bytes) -> list[SourceLine]:
    from docx import Document

    try:
        document = Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises several kinds on a damaged file
        raise ValidationError(
            "workplan.file_unreadable", f"无法读取Word文件“{name}”", name=name, reason=str(exc)
        ) from exc
    lines: list[SourceLine] = []
    for paragraph in document.paragraphs:
        bold = ""
        for run in paragraph.runs:
            if not run.bold:
                break
            bold += run.text
        lines.append(SourceLine(paragraph.text, bold.strip() or None))
    for table in document.tables:  # a plan laid out as a table: one line per row
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            lines.append(SourceLine(" ".join(dict.fromkeys(c for c in cells if c))))
    return lines


def _pdf_lines(name: str, content: bytes) -> list[SourceLine]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationError(
            "workplan.file_unreadable", f"无法读取PDF文件“{name}”", name=name, reason=str(exc)
        ) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise ValidationError(
            "workplan.pdf_no_text",
            f"PDF文件“{name}”没有文字层（可能是扫描件），请提供文字版",
            name=name,
        )
    return [SourceLine(line) for line in text.splitlines()]
