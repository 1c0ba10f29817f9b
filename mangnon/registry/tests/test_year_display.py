"""Years are written as years (2015), never as numbers with a thousands separator (2.015)."""

import pytest

from mangnon.registry.codes import HouseholdPoverty
from mangnon.registry.models import HouseholdStatus

from .factories import ChildFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_year_of_birth_in_the_list_and_profile(personas, units, client_for):
    child = ChildFactory(
        admin_unit=units.commune_a,
        person__full_name="Triệu Thị Mây",
        person__date_of_birth=None,
        person__birth_year=2015,
        person__birth_year_estimated=True,
    )
    client = client_for(personas.officer_a)
    for url in ("/children/", f"/children/{child.pk}/"):
        html = client.get(url).content.decode()
        assert "2015" in html
        assert "2.015" not in html


def test_household_status_years(personas, units, client_for):
    household = HouseholdFactory(admin_unit=units.commune_a)
    HouseholdStatus.objects.create(household=household, year=2024, status=HouseholdPoverty.POOR)
    html = client_for(personas.officer_a).get(f"/children/households/{household.pk}/").content.decode()
    assert "2024:" in html and "2.024" not in html
