"""Reading a plan from .txt, .docx (python-docx) or .pdf (its text layer, pypdf) into the
paragraphs the parser takes."""

from __future__ import annotations

import hashlib
import io
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
        return SourceDocument(name, digest, _text_lines(content), wrapped=False)
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


def _text_lines(content: bytes) -> list[SourceLine]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationError("workplan.file_encoding", "文本文件编码无法识别，请存为UTF-8")
    return [SourceLine(line) for line in text.splitlines()]


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
