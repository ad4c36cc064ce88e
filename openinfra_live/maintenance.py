"""Operator commands: backups and JSON export/import."""

COMMANDS: list = []
