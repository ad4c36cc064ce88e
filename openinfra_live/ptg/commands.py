"""``flask import-ptg-teams``."""

COMMANDS: list = []
