"""DOCX → PDF through LibreOffice, where a deployment has it installed.

LibreOffice is optional: without `soffice` (or `libreoffice`) on the PATH, `available()` is False and
the pages offer the DOCX only. Each conversion runs `soffice --headless --convert-to pdf` in its own
temporary directory with its own user profile (two conversions at once, or a desktop LibreOffice of
the same user, would otherwise share one profile and one of them would fail), and is stopped after
`MANGNON_PDF_TIMEOUT` seconds (default 60). The temporary directory, which holds the child's data, is
removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

PDF_CONTENT_TYPE = "application/pdf"
DEFAULT_TIMEOUT = 60
PROGRAMS = ("soffice", "libreoffice")


class ConversionFailed(Exception):
    """LibreOffice did not produce the PDF (it failed, or ran out of time)."""


def soffice() -> str | None:
    """The LibreOffice program on the PATH, or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return soffice() is not None


def _run(command: list[str], *, cwd: Path, timeout: float) -> None:
    """Run LibreOffice in a session of its own: `soffice` is a script that starts `soffice.bin`, so on
    a timeout the whole process group is killed, not only the script."""
    try:
        process = subprocess.Popen(  # noqa: S603 (the arguments are ours; no shell)
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
    except OSError as error:
        raise ConversionFailed(str(error)) from error
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionFailed(f"LibreOffice took longer than {timeout} s") from error
    if process.returncode != 0:
        raise ConversionFailed(err.decode(errors="replace")[-500:] or f"exit code {process.returncode}")


def docx_to_pdf(content: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of a DOCX document. ConversionFailed when LibreOffice is missing, fails or is too slow."""
    program = soffice()
    if program is None:
        raise ConversionFailed("LibreOffice is not installed")
    limit = timeout if timeout is not None else getattr(settings, "MANGNON_PDF_TIMEOUT", DEFAULT_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="mangnon-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(content)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        _run(command, cwd=work, timeout=limit)
        result = work / "document.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionFailed("LibreOffice wrote no PDF")
        return result.read_bytes()
