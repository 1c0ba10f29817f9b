"""The text of a periodic report's sections, written from its figures in Vietnamese administrative prose.

(Being written: the helpers below are the interface the services rely on.)
"""

from __future__ import annotations

from typing import Any

from mangnon.geo.models import AdminUnit


def generate(snapshot: dict[str, Any]) -> dict[str, str]:
    """The text of each data section (SectionKey value → text) from a `figures.collect` snapshot."""
    return {}


def default_title(snapshot: dict[str, Any]) -> str:
    return f"Báo cáo kết quả thực hiện công tác trẻ em {snapshot['period']['label'].lower()}"


def default_place(unit: AdminUnit) -> str:
    return unit.name
