"""``flask create-moderator`` and ``flask deactivate-user``."""

COMMANDS: list = []
