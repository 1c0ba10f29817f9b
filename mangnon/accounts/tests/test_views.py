"""Home page, navigation by role, and the language switch on the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation
from mangnon.core.navigation import NavItem

pytestmark = pytest.mark.django_db

HOME = "/"


def test_home_is_the_root_url():
    assert reverse("accounts:home") == HOME


def test_home_shows_the_users_memberships(personas, client_for):
    response = client_for(personas.officer_a).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-membership") == 1
    assert "Phường Hạ Long" in html and "06688" in html
    assert str(personas.officer_a.memberships.get().get_role_display()) in html
    assert "Xã Tiên Yên" not in html


def test_home_of_a_user_without_an_active_role_says_so(personas, client_for):
    personas.officer_a.memberships.update(valid_to="2021-01-01", valid_from="2020-01-01")
    response = client_for(personas.officer_a).get(HOME)
    assert response.status_code == 200
    assert "data-membership" not in response.content.decode()
    assert response.context["memberships"] == []


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


@pytest.fixture
def audit_like_entry(monkeypatch):
    """An entry visible only to roles with audit.view, like the audit trail's."""
    item = NavItem(
        "test-audit-view", "Audit-only entry", "accounts:home", 999, lambda u: can(u, Action.AUDIT_VIEW)
    )
    monkeypatch.setitem(navigation._items, item.key, item)
    return item


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("system_admin", True),
        ("province_manager", True),
        ("officer_a", False),
        ("viewer", False),
        ("hotline", False),
    ],
)
def test_navigation_shows_only_entries_the_role_allows(personas, client_for, audit_like_entry, persona, sees):
    response = client_for(getattr(personas, persona)).get(HOME)
    keys = [item["key"] for item in response.context["nav_items"]]
    assert (audit_like_entry.key in keys) is sees
    assert (f'data-nav="{audit_like_entry.key}"' in response.content.decode()) is sees


def test_navigation_is_empty_for_anonymous_users(client, audit_like_entry, db):
    response = client.get(reverse("accounts:login"))
    assert response.context["nav_items"] == []
    assert 'data-nav="' not in response.content.decode()


def test_login_page_is_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "vi"
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html
    assert "Tên đăng nhập" in html


def test_language_switch_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    # And back.
    client.post("/i18n/setlang/", {"language": "vi", "next": reverse("accounts:login")})
    assert client.get(reverse("accounts:login"))["Content-Language"] == "vi"


def test_language_switch_names_each_language_in_itself(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'data-lang-switch="en">English</button>' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'data-lang-switch="vi">Tiếng Việt</button>' in html
