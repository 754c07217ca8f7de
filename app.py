"""Entry point for `flask --app app …` and the server's `app:app` (wellbeing/serving.py)."""

from wellbeing import create_app

app = create_app()
