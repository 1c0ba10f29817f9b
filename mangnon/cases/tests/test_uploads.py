"""What a case attachment is, by its content: the accepted kinds are recognised whatever they are called,
everything else is refused whatever it is called; the name shown is cleaned and ends as the file is."""

from __future__ import annotations

import io

import pytest
from django.utils.translation import gettext

from mangnon.cases import uploads
from mangnon.cases.tests import record_files as files


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (files.PDF, uploads.PDF),
        (files.JPEG, uploads.JPEG),
        (files.PNG, uploads.PNG),
        (files.TEXT, uploads.TEXT),
        (b"\xef\xbb\xbf" + files.TEXT, uploads.TEXT),
        (files.docx_bytes(), uploads.DOCX),
        (files.xlsx_bytes(), uploads.XLSX),
        (files.odt_bytes(), uploads.ODT),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(content, kind):
    stream = io.BytesIO(content)
    assert uploads.sniff(stream) is kind
    assert stream.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(
    "content",
    [
        files.HTML,
        b"  \n<html><p>hi</p></html>",
        files.SVG,
        b"Ghi chu\n<script>alert(1)</script>",
        files.EXE,
        files.ELF,
        files.SCRIPT,
        files.LATIN1,
        b"text with a \x00 NUL byte",
        files.plain_zip(),
        files.docm_bytes(),
        b"PK\x03\x04 not really a zip",
        b"GIF89a\x01\x00\x01\x00",
        b"",
    ],
    ids=[
        "html",
        "html-after-space",
        "svg",
        "script-in-text",
        "exe",
        "elf",
        "shell-script",
        "latin-1",
        "nul",
        "zip",
        "docm",
        "broken-zip",
        "gif",
        "empty",
    ],
)
def test_everything_else_is_refused(content):
    with pytest.raises(uploads.UnsupportedFile):
        uploads.sniff(io.BytesIO(content))


def test_a_huge_type_member_is_not_read():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b" " * (uploads.MAX_TYPE_MEMBER + 1))
        archive.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(uploads.UnsupportedFile):
        uploads.sniff(out)


@pytest.mark.parametrize(
    ("given", "kind", "shown"),
    [
        ("Biên bản họp.pdf", uploads.PDF, "Biên bản họp.pdf"),
        ("C:\\Users\\cb\\Desktop\\anh.JPEG", uploads.JPEG, "anh.jpeg"),
        ("../../etc/passwd", uploads.TEXT, "passwd.txt"),
        ("report.pdf.exe", uploads.PDF, "report.pdf.exe.pdf"),
        ('a"b;c\r\nd.png', uploads.PNG, "a_b_c__d.png"),
        ("x" * 300 + ".docx", uploads.DOCX, "x" * 195 + ".docx"),
    ],
)
def test_display_name_is_clean_and_ends_as_the_file_is(given, kind, shown):
    assert uploads.display_name(given, kind) == shown


def test_a_name_with_nothing_left_gets_a_plain_one():
    assert uploads.display_name("....", uploads.PDF) == gettext("attachment") + ".pdf"
    assert uploads.display_name("", uploads.TEXT) == gettext("attachment") + ".txt"


def test_a_decomposed_vietnamese_name_is_composed():
    decomposed = "Bie\u0302n ba\u0309n.pdf"  # as macOS writes it
    assert uploads.display_name(decomposed, uploads.PDF) == "Biên bản.pdf"
