"""WSGI entry point: ``gunicorn wsgi:app``."""

from catalogue import create_app

app = create_app()
