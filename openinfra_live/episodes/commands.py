"""``flask import-episodes``, ``flask export-episodes`` and ``flask demo``."""

COMMANDS: list = []
