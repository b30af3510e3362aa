"""Local web app (`ragtune serve`): the what-if cost calculator page and its JSON API.

Needs the `web` extra (FastAPI, uvicorn). Import `create_app` from `ragtune.web.app`.
"""
