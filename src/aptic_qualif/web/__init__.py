"""``aptic-qualif serve``: the web front for venues, reviewers and the coordinator.

A thin layer over the library, like ``cli/``: pages parse a request, call the same functions
as the commands (validation, conditions, scoring, reviews, staleness) and render the result.
The project's files stay the store — applications and reviews are the YAML files the
commands read, written atomically — so git remains the audit log.

- :mod:`aptic_qualif.web.app` — the Starlette application: routes, security, rendering;
- :mod:`aptic_qualif.access` — the secret links (capability URLs) that say who sees what.

Starlette and Jinja2 are imported only when the server starts.
"""
