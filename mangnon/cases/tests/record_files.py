"""Small real files of every kind the case record accepts, and of kinds it refuses, made in memory."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
TEXT = "Biên bản thăm gia đình: trẻ đi học đều, mẹ hợp tác.\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
LATIN1 = "Biên bản".encode("latin-1", errors="replace") + b"\xe9\xe8\n"


def docx_bytes(text: str = "Biên bản họp trường hợp") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Ngày", "Dịch vụ"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def odt_bytes() -> bytes:
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
        }
    )


def plain_zip() -> bytes:
    return _zip({"photo.jpg": JPEG, "notes.txt": TEXT})


def docm_bytes() -> bytes:
    """A Word document with macros: the same parts as a DOCX plus a VBA project."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source:
        members = {n: source.read(n) for n in source.namelist()}
    members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0"
    return _zip(members)
