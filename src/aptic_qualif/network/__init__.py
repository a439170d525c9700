"""Exchanges with the national open data of digital-mediation venues (export, import,
coverage). The modules are imported when a command needs them; this package holds only what
the command line needs at start-up."""

COMMENTED_MAX = 50
"""The most venues ``import lieux`` writes with every question commented (about 58 KB each,
the template of ``apply template`` filled in); beyond, the skeletons are compact (about
4 KB): the same keys and values, and one line that points to ``apply template`` for the
questions' help (:mod:`~aptic_qualif.network.skeleton`)."""
