"""The public XLSForms of pyxform's own test suite (BSD), which the import is tested against: forms not
written for this project. They sit in the work environment beside the checkout (`../shared/fixtures/
xlsform`); `MANGNON_XLSFORM_FIXTURES` names another folder. Without them a test is skipped on a
developer's machine but fails under CI (`CI=true`): the acceptance rests on them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[3]
_CANDIDATES = (
    os.environ.get("MANGNON_XLSFORM_FIXTURES", ""),
    str(_REPO.parent / "shared" / "fixtures" / "xlsform"),
    "/work/shared/fixtures/xlsform",
)


def folder() -> Path | None:
    return next((Path(p) for p in _CANDIDATES if p and Path(p).is_dir()), None)


def public_form(name: str) -> bytes:
    """The bytes of one public form; skipped (or, under CI, failed) when the folder is missing."""
    found = folder()
    if found is None:
        message = f"the public XLSForm fixtures are missing (looked in {[p for p in _CANDIDATES if p]})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return (found / name).read_bytes()
