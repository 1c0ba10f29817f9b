"""The profile offers to end a circumstance or risk while it lasts, to those who may edit, never in print."""

from datetime import date

import pytest

from .factories import ChildFactory, RiskFlagFactory, SpecialCircumstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(units):
    child = ChildFactory(admin_unit=units.commune_a)
    SpecialCircumstanceFactory(child=child, group="d")
    SpecialCircumstanceFactory(child=child, group="a", end_date=date(2025, 1, 1))
    RiskFlagFactory(child=child, risk_type="neglect")
    return child


def test_an_officer_sees_end_forms_for_what_lasts(personas, client_for, child):
    html = client_for(personas.officer_a).get(f"/children/{child.pk}/").content.decode()
    lasting = child.circumstances.get(group="d")
    risk = child.risk_flags.get()
    assert (
        f'action="/children/{child.pk}/circumstances/{lasting.pk}/end/"' in html
        or 'data-end-circumstance="d"' in html
    )
    assert 'data-end-circumstance="d"' in html and 'data-end-circumstance="a"' not in html
    assert 'data-end-risk="neglect"' in html
    assert f'id="end-c-{lasting.pk}"' in html and f'id="end-r-{risk.pk}"' in html


def test_no_end_forms_in_print_or_for_readers(personas, client_for, child):
    printed = client_for(personas.officer_a).get(f"/children/{child.pk}/print/").content.decode()
    assert "data-end-circumstance" not in printed and "data-end-risk" not in printed
    read_only = client_for(personas.collaborator_a).get(f"/children/{child.pk}/")
    assert read_only.status_code == 200
    assert "data-end-circumstance" not in read_only.content.decode()
