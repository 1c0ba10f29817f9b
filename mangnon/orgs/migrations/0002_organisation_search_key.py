"""The directory's search key: name, short name and code without diacritics (see Organisation)."""

from typing import Any

from django.db import migrations, models

from mangnon.core.text import normalize_name


def fill_keys(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("orgs", "Organisation")
    rows = list(Organisation.objects.only("pk", "name", "short_name", "code"))
    for row in rows:
        row.search_key = normalize_name(f"{row.name} {row.short_name} {row.code}")
    Organisation.objects.bulk_update(rows, ["search_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=400),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
