#!/usr/bin/env python
"""Django's manage.py; the `mangnon` console script does the same."""

from mangnon.cli import main

if __name__ == "__main__":
    main()
