"""The national child-protection hotline, 111, which every deployment answers. Provincial lines are
configured per deployment (`mangnon intake line-add`; the demo adds Quảng Ninh's)."""

from django.db import migrations

NUMBER = "111"
NAME = "Tổng đài điện thoại quốc gia bảo vệ trẻ em"


def add_111(apps, schema_editor):
    Line = apps.get_model("intake", "Line")
    Line.objects.get_or_create(number=NUMBER, defaults={"name": NAME, "province": None, "active": True})


def remove_111(apps, schema_editor):
    # Refused by the database (PROTECT) once contacts name the line: they must keep it.
    apps.get_model("intake", "Line").objects.filter(number=NUMBER).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(add_111, remove_111)]
