"""Open311 documents as JSON or XML, and errors as Open311 error lists.

JSON is the document as is (lists at the top for collections). XML follows the GeoReport v2
examples: a root element, one child per item (``services`` → ``service``, ``service_requests`` →
``request`` …), ``true``/``false`` for booleans and empty elements for missing values. It is
built with the standard library, which escapes ``&``, ``<`` and ``>``; characters XML 1.0
cannot carry at all (most control characters) are dropped.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from cityops.errors import CityopsError

FORMATS = ("json", "xml")
MEDIA_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Element name of the items of each list.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        child = ITEM_NAMES.get(tag, "item")
        for item in value:
            _append(element, child, item)
    elif value is not None:
        element.text = xml_text(value)


def to_xml(root: str, doc: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, doc)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, doc: Any) -> bytes:
    """``doc`` in ``fmt``; ``root`` names the XML root element."""
    return to_xml(root, doc) if fmt == "xml" else to_json(doc)


def open311_status(exc: CityopsError) -> int:
    """The HTTP status of an error: 403 and 404 as they are, 413 for oversize uploads, every
    other refusal 400 (GeoReport v2 knows no 409 or 422)."""
    return exc.http_status if exc.http_status in (403, 404, 413) else 400


def error_doc(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]


def error_description(exc: CityopsError) -> str:
    """The message for people, then the stable code for programs."""
    return f"{exc.message} [{exc.code}]"
