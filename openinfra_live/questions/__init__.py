"""Audience questions: asked from an episode's page, moderated, read out on air."""
