"""The framework floor: a one-route Flask app served with the same gunicorn settings as the site."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest page Flask can answer."""
    return "Hello, World!"
