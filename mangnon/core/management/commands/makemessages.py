"""Django's makemessages without fuzzy matching.

A fuzzy guess ("Change password" → the translation of "Change") is wrong more often than right, and
gettext ignores fuzzy entries anyway; an empty msgstr is honest and the catalogue test finds it.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
