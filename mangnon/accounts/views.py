from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import active_memberships
from .forms import LoginForm


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
