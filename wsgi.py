"""WSGI entry point: ``gunicorn wsgi:app``."""

from openinfra_live import create_app

app = create_app(serving=True)
