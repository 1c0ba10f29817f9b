"""What an uploaded file really is, judged by its content, never by its name or the browser's word.

Case attachments accept PDF, JPEG, PNG, DOCX, XLSX, ODT and plain UTF-8 text. Everything else is
refused: HTML and SVG (a browser would run their scripts), executables and scripts, archives that are not
an Office document, Office files with macros. `sniff` reads the leading bytes, and for the ZIP-based
formats the archive's directory and its one small type-naming member (nothing is extracted). It also
gives the name the file is shown and downloaded under: the user's name cleaned of anything a path, a
header or a terminal would act on, with the extension of what the file really is.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.utils.translation import gettext as _

HEAD_BYTES = 8192
# Members read to recognise an Office file are tiny; a larger one is not an honest document.
MAX_TYPE_MEMBER = 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Markup at the start of a "text" file, or these tags anywhere in its head, make it HTML/SVG/XML.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|style)\b", re.I
)
_UNSAFE_NAME_CHARS = re.compile(r'[\\/:*?"<>|;\x00-\x1f\x7f]')
MAX_NAME = 200


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a stored or renamed file gets


PDF = FileKind("pdf", "application/pdf", (".pdf",))
JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("png", "image/png", (".png",))
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",))
TEXT = FileKind("text", "text/plain", (".txt",))
KINDS = {k.content_type: k for k in (PDF, JPEG, PNG, DOCX, XLSX, ODT, TEXT)}


class UnsupportedFile(Exception):
    """The content is none of the accepted kinds (the message says which are)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This kind of file cannot be attached. Attach a PDF, a photo (JPEG or PNG), a Word or "
                "LibreOffice text document (DOCX, ODT), an Excel sheet (XLSX) or a plain text file."
            )
        )


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_TYPE_MEMBER:
        raise UnsupportedFile
    return archive.read(info)


def _zip_kind(stream: IO[bytes]) -> FileKind:
    """An Office document is a ZIP archive naming its type inside; any other archive is refused."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                raise UnsupportedFile  # LibreOffice macros
            if _read_member(archive, "mimetype") == ODT_MIMETYPE and "content.xml" in names:
                return ODT
            types = _read_member(archive, "[Content_Types].xml")
            if types is None or b"macroEnabled" in types or any(n.endswith("vbaProject.bin") for n in names):
                raise UnsupportedFile
            if "word/document.xml" in names and b"wordprocessingml.document.main+xml" in types:
                return DOCX
            if "xl/workbook.xml" in names and b"spreadsheetml.sheet.main+xml" in types:
                return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise UnsupportedFile from None
    raise UnsupportedFile


def _is_plain_text(stream: IO[bytes], head: bytes) -> bool:
    """UTF-8 (a BOM allowed) without NUL bytes, not markup and not a script."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith((b"<", b"#!")) or _MARKUP.search(head):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff(stream: IO[bytes]) -> FileKind:
    """The kind of the file's content (UnsupportedFile when none of the accepted ones). Leaves the stream
    at its start."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"PK\x03\x04"):
            stream.seek(0)
            return _zip_kind(stream)
        if head and _is_plain_text(stream, head):
            return TEXT
        raise UnsupportedFile
    finally:
        stream.seek(0)


def display_name(original: str, kind: FileKind) -> str:
    """The user's file name fit to show and to send back in Content-Disposition: no folders, no control
    or path characters, normalised (NFC), at most MAX_NAME characters, ending in the extension of what
    the file is (a PDF called "photo.jpg" becomes "photo.jpg.pdf")."""
    base = re.split(r"[\\/]", original or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_NAME_CHARS.sub("_", base)
    base = " ".join(base.split()).strip(". ")
    stem, suffix = base, PurePosixPath(base).suffix.lower()
    if suffix in kind.extensions:
        stem = base[: -len(suffix)]
        extension = suffix
    else:
        extension = kind.extensions[0]
    stem = stem.strip(". ")[: MAX_NAME - len(extension)] or _("attachment")
    return f"{stem}{extension}"
