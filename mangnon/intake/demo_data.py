"""Demo lines: the demo province's own hotlines beside the national 111 (which every database has, from
migration 0002). Quảng Ninh's, as the seeds name them: 18001769, the free counselling line linked to 111,
and 18001776, a provincial child-protection hotline. A real deployment configures its own with
`mangnon intake line-add`.

Idempotent: `line_configure` leaves a line that is already as described untouched (and unaudited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from mangnon.geo.models import AdminUnit, Level

from .services import line_configure

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

LINES = (
    ("18001769", "Đường dây tư vấn miễn phí tỉnh {p} (kết nối Tổng đài 111)"),
    ("18001776", "Đường dây nóng bảo vệ trẻ em tỉnh {p}"),
)


def load(ctx: DemoContext) -> None:
    code = settings.MANGNON_DEMO_PROVINCE
    province = (
        AdminUnit.objects.valid_on(timezone.localdate()).filter(code=code, level=Level.PROVINCE).first()
    )
    if province is None:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {code}")
    place = province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    for number, name in LINES:
        line_configure(actor=None, number=number, name=name.format(p=place), province=province)
    ctx.say(f"  lines: 111 and {', '.join(n for n, _name in LINES)}")
