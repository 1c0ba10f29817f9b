"""Indexes for duplicate matching (registry.matching): the main blocking branch looks children up by
tên, họ and a window of birth years, which one composite index on Person answers as a range scan.

Created in SQL rather than in Person.Meta so that the model stays as the lead defined it; the SQL is
the same on SQLite and PostgreSQL.
"""

from django.db import migrations

INDEX = "registry_person_match_key"


def forwards(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person (ten_key, ho_key, birth_year)"
    )


def backwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_sort_key_collation")]
    operations = [migrations.RunPython(forwards, backwards)]
