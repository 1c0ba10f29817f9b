"""DOCX → PDF: without LibreOffice nothing is offered; with it, a conversion in a temporary directory
with its own profile, stopped (with the processes it started) after the time limit. Stand-in `soffice`
programs test the process handling; one test converts for real, only where LibreOffice is installed."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from mangnon.reports import docx_layout as layout
from mangnon.reports import pdf

SUCCEEDS = f"""#!{sys.executable}
import pathlib, sys
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
source = pathlib.Path(args[-1])
pathlib.Path({{log!r}}).write_text("\\n".join(args))
(out / (source.stem + ".pdf")).write_bytes(b"%PDF-1.7 " + source.read_bytes()[:2])
"""
FAILS = "#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n"
WRITES_NOTHING = "#!/bin/sh\nexit 0\n"
# PATH holds only the stand-in while a test runs, so the script names its commands in full.
HANGS = f"#!/bin/sh\n{shutil.which('sleep')} 30 &\necho $! > {{pidfile}}\nwait\n"


def _install(tmp_path: Path, monkeypatch, script: str, name: str = "soffice") -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    program = bin_dir / name
    program.write_text(script)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return program


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has been killed; only its exit status is left


def test_not_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pdf.soffice() is None and not pdf.available()
    with pytest.raises(pdf.ConversionFailed, match="not installed"):
        pdf.docx_to_pdf(b"PK")


def test_libreoffice_under_its_other_name(tmp_path, monkeypatch):
    program = _install(tmp_path, monkeypatch, WRITES_NOTHING, name="libreoffice")
    assert pdf.soffice() == str(program) and pdf.available()


def test_converts_in_a_temporary_directory_with_its_own_profile(tmp_path, monkeypatch):
    log = tmp_path / "args.txt"
    _install(tmp_path, monkeypatch, SUCCEEDS.format(log=str(log)))
    assert pdf.docx_to_pdf(b"PK rest") == b"%PDF-1.7 PK"
    args = log.read_text().splitlines()
    assert {"--headless", "--norestore"} <= set(args)
    assert args[args.index("--convert-to") + 1] == "pdf"
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
    work = Path(args[args.index("--outdir") + 1])
    assert str(work) in profile and args[-1] == str(work / "document.docx")
    assert not work.exists()  # the child's data does not stay on the disk


def test_a_failure_is_reported(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, FAILS)
    with pytest.raises(pdf.ConversionFailed, match="could not be loaded"):
        pdf.docx_to_pdf(b"PK")


def test_no_pdf_written_is_a_failure(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, WRITES_NOTHING)
    with pytest.raises(pdf.ConversionFailed, match="no PDF"):
        pdf.docx_to_pdf(b"PK")


def test_a_conversion_that_hangs_is_stopped_with_what_it_started(tmp_path, monkeypatch):
    pidfile = tmp_path / "child.pid"
    _install(tmp_path, monkeypatch, HANGS.format(pidfile=pidfile))
    started = time.monotonic()
    with pytest.raises(pdf.ConversionFailed, match="longer than"):
        pdf.docx_to_pdf(b"PK", timeout=1)
    assert time.monotonic() - started < 10
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_the_time_limit_comes_from_the_settings(tmp_path, monkeypatch, settings):
    pidfile = tmp_path / "child.pid"
    _install(tmp_path, monkeypatch, HANGS.format(pidfile=pidfile))
    settings.MANGNON_PDF_TIMEOUT = 1
    with pytest.raises(pdf.ConversionFailed, match="longer than 1 s"):
        pdf.docx_to_pdf(b"PK")


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) is not installed")
def test_real_conversion():
    doc = layout.new_document(title="Thử")
    layout.add_heading(doc, layout.Heading(issuer=("Ủy ban nhân dân", "Phường Hạ Long")))
    layout.add_title(doc, "Báo cáo thử", "Về việc chuyển sang PDF")
    content = pdf.docx_to_pdf(layout.to_bytes(doc), timeout=180)
    assert content.startswith(b"%PDF-") and len(content) > 1000
    assert os.environ.get("PATH")  # the real program was found on it
