"""The usage observatory: usages, never users.

Activity records (one per accompaniment) in a documented Table Schema (``schema.json``),
imported from that format or from La Coop de la médiation numérique's activity export,
stored as Parquet partitioned by month, aggregated with embedded DuckDB, and published only
through :func:`aptic_qualif.usages.disclosure.protect` (primary and secondary suppression).

No person identifier, name, contact, birth date or free text is ever read into a record:
an import refuses a file that has such a column, or a cell that looks like an e-mail
address, a telephone number or a NIR (:mod:`aptic_qualif.usages.personal`).

Heavy libraries (DuckDB, PyArrow) are imported inside the functions that need them, so that
the other commands never load them.
"""

from __future__ import annotations
