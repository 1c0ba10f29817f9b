"""The metrics registry: registering, refusing a second element with the same code, looking up, asking
for a declared disaggregation only, and discovering the apps' metrics modules at start-up."""

from __future__ import annotations

from datetime import date

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import DataElement, Figure, Period, Registry


def _constant(total: int):
    def compute(*, unit, period, viewer, by):
        return Figure(total=total, by={d: {"x": total} for d in by})

    return compute


def _element(code: str = "demo.things", owner: str = "demo", **kwargs) -> DataElement:
    return DataElement(code=code, name="Things", owner=owner, computation=_constant(3), **kwargs)


def test_register_get_and_list_in_code_order():
    registry = Registry()
    second = registry.register(_element("demo.zebras"))
    first = registry.register(_element("demo.apples"))
    assert registry.get("demo.apples") is first
    assert registry.all_elements() == [first, second]
    with pytest.raises(KeyError):
        registry.get("demo.unknown")


def test_a_duplicate_code_is_refused():
    registry = Registry()
    registry.register(_element())
    with pytest.raises(metrics.DuplicateCode):
        registry.register(_element())


def test_a_code_must_start_with_its_owner():
    with pytest.raises(ValueError, match="owner"):
        Registry().register(_element("things", owner="demo"))


def test_compute_passes_the_requested_disaggregations_once_and_refuses_undeclared_ones():
    element = _element(disaggregations=("sex",))
    figure = element.compute(unit=None, period=Period.day(date(2025, 1, 1)), viewer=None, by=["sex", "sex"])
    assert figure == Figure(total=3, by={"sex": {"x": 3}})
    assert element.compute(unit=None, period=Period.day(date(2025, 1, 1)), viewer=None).by == {}
    with pytest.raises(metrics.UnknownDisaggregation, match="group"):
        element.compute(unit=None, period=Period.day(date(2025, 1, 1)), viewer=None, by=["group"])


def test_a_period_is_one_or_more_days():
    assert Period.day(date(2025, 3, 1)) == Period(date(2025, 3, 1), date(2025, 3, 1))
    with pytest.raises(ValueError):
        Period(date(2025, 3, 2), date(2025, 3, 1))


def test_the_decorator_declares_and_registers_the_function(monkeypatch):
    monkeypatch.setattr(metrics, "_registry", Registry())

    @metrics.data_element("demo.things", name="Things", owner="demo", disaggregations=("sex",))
    def things(*, unit, period, viewer, by):
        return Figure(total=7)

    assert metrics.get("demo.things") is things
    assert things.owner == "demo" and things.disaggregations == ("sex",) and things.unit == "count"
    assert things.compute(unit=None, period=Period.day(date(2025, 1, 1)), viewer=None).total == 7


def test_autodiscover_finds_the_registry_figures_and_may_run_again():
    metrics.autodiscover()  # already run at start-up: the modules are imported once, nothing registers twice
    codes = {e.code for e in metrics.all_elements()}
    assert {
        "registry.children",
        "registry.special_circumstances",
        "registry.at_risk",
        "registry.assisted",
    } <= codes
    assert all(metrics.get(code).owner == code.split(".")[0] for code in codes)


def test_a_batch_computes_together_only_what_two_or_more_wanted_codes_share():
    registry = metrics.Registry()
    both = registry.register_batch(metrics.Batch("app", frozenset({"app.a", "app.b"}), lambda **_: {}))
    assert registry.batches_for(["app.a", "app.b", "app.c"]) == [(both, ("app.a", "app.b"))]
    assert registry.batches_for(["app.a", "app.c"]) == []  # one code alone is computed on its own
    with pytest.raises(ValueError, match="owner"):
        registry.register_batch(metrics.Batch("app", frozenset({"other.x"}), lambda **_: {}))
    with pytest.raises(metrics.DuplicateCode):
        registry.register_batch(metrics.Batch("app", frozenset({"app.b", "app.d"}), lambda **_: {}))
