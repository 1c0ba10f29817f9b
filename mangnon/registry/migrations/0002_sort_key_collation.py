"""Byte order for the ICU sort keys on PostgreSQL (SQLite already compares text byte by byte)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE registry_person ALTER COLUMN sort_key TYPE varchar(600) COLLATE "C"'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE registry_person ALTER COLUMN sort_key TYPE varchar(600) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
