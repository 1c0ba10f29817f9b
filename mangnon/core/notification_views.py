"""The notifications page (/notifications/): the user's own notifications, newest first, worded in their
language; marking one or all of them read.

Everyone who logs in has notifications of their own and nobody sees anyone else's (404). The list names
case numbers, so showing it writes a "view" event naming what was shown; marking read is audited by the
services. A notification's link leads to the record's own page, which checks access again: a record the
user may no longer see answers 404 there.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import audit
from .models import AuditAction
from .notifications import (
    OBJECT_TYPE,
    get_notification_for_user,
    notification_mark_all_read,
    notification_mark_read,
    notifications_for,
    text_of,
)

PAGE_SIZE = 25


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the list, on the page the form was sent from."""
    page = request.POST.get("page", "")
    query = f"?{urlencode({'page': page})}" if page.isdigit() and page != "1" else ""
    return HttpResponseRedirect(reverse("core:notifications") + query)


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = notifications_for(request.user)
    page_obj = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    if shown:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type=OBJECT_TYPE,
            object_id="list",
            changes={"shown": [n.pk for n in shown]},
        )
    return render(
        request,
        "core/notifications.html",
        {
            "page_obj": page_obj,
            "rows": [{"notification": n, "text": text_of(n)} for n in shown],
            "any_unread": notifications.filter(read_at__isnull=True).exists(),
            "query": "",
        },
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    notification_mark_read(actor=request.user, notification=notification)
    return _back(request)


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(actor=request.user)
    return _back(request)
