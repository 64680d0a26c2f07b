"""The web front door: the workbench pages and the JSON API, one FastAPI app.

Thin like the CLI: a route parses input, calls one use case from ``services`` with the
signed-in user and a unit of work, and renders the result (JSON or a Jinja2 page). No SQL,
no rule and no permission check of its own: the use case refuses, ``errors`` translates.
"""
