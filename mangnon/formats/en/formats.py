"""English interface, Vietnamese dates: users of the English interface work with Vietnamese records and
paperwork, so dates stay dd/mm/yyyy (never the US month-first order); numbers use English separators."""

from mangnon.formats.vi.formats import (  # noqa: F401 - Django reads these names from this module
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
    YEAR_MONTH_FORMAT,
)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
