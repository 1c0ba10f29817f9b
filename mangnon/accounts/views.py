from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .access import active_memberships
from .forms import LoginForm
from .models import User
from .services import user_set_password


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are, where you act, and what you can open from here."""
    return render(request, "accounts/home.html", {"memberships": active_memberships(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the current one first, the new one twice, checked by the validators."""
    me = cast(User, request.user)  # login_required: never anonymous here
    form = PasswordChangeForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_set_password(actor=me, user=me, password=form.cleaned_data["new_password1"])
        # Keep this session signed in; other sessions of the user end with the old password hash.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return HttpResponseRedirect(reverse("accounts:home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)
