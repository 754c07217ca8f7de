"""The baseline for `make bench`: a bare Flask app with one route, served like the real one."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
