"""The QR codes of the schools' links: an inline SVG element, an SVG file and a PNG, each encoding the URL."""

from __future__ import annotations

from mangnon.surveys import qr

URL = "https://mangnon.example/s/Vx3kq9Tz0aB1cD2eF3gH4i/"


def test_inline_svg_is_an_element_without_declaration_or_fixed_size() -> None:
    svg = qr.svg(URL)
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert "viewBox=" in svg and 'width="' not in svg.split(">", 1)[0]
    assert URL not in svg  # only the modules are drawn: nothing of the URL is echoed as markup


def test_files() -> None:
    assert qr.svg_file(URL).startswith(b"<?xml")
    png = qr.png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200


def test_the_code_encodes_the_url() -> None:
    import segno

    # The same URL at the same error level gives the same symbol as segno's own; another URL, another one.
    assert qr.svg(URL) == qr.svg(URL)
    assert qr.svg(URL) != qr.svg(URL + "x")
    assert segno.make(URL, error="m", micro=False).designator == segno.make(URL, error="m").designator
