from django import forms
from django.core.exceptions import ValidationError

from mangnon.core.forms import errors_to_form


class _Form(forms.Form):
    name = forms.CharField(required=False)
    year = forms.IntegerField(required=False)


def _bound() -> _Form:
    form = _Form({"name": "x", "year": "2020"})
    assert form.is_valid()
    return form


def test_a_service_error_goes_beside_the_field_it_names_and_the_rest_above_the_form():
    form = _bound()
    errors_to_form(form, ValidationError({"name": ["Too short.", "Not a name."], "owner": ["Not yours."]}))
    assert form.errors["name"] == ["Too short.", "Not a name."]
    assert form.non_field_errors() == ["Not yours."]


def test_aliases_map_the_services_names_onto_the_forms_and_none_puts_it_above():
    form = _bound()
    errors_to_form(
        form,
        ValidationError({"period_start": ["Before the start."], "children": ["Name a child."]}),
        {"period_start": "year", "children": None},
    )
    assert form.errors["year"] == ["Before the start."]
    assert form.non_field_errors() == ["Name a child."]


def test_an_error_without_fields_goes_above_the_form():
    form = _bound()
    errors_to_form(form, ValidationError("Someone else changed it."))
    assert form.non_field_errors() == ["Someone else changed it."]
