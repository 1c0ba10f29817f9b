"""Sections of the case page, registered by the features that own them.

The page shows the case, its deadlines and its timeline itself; everything else a case gathers
(the planned services and the referrals in referral_sections; notes, attachments) registers a section: a
title, a template and a function giving that template's context for a viewer and a case, or None when
the section has nothing to show this viewer. The section's template is rendered with the request, so
its forms carry the CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise

from .models import Case


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    template: str
    order: int
    context: Callable[[Any, Case], dict[str, Any] | None]


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.key] = section


def sections_for(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """Each registered section that has something for this viewer, rendered, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        context = section.context(request.user, case)
        if context is not None:
            html = render_to_string(section.template, {"case": case, **context}, request=request)
            shown.append({"key": section.key, "title": section.title, "html": html})
    return shown
