"""aptic-qualif: the open référentiel of digital-mediation services and the qualification of venues.

The library is the product; :mod:`aptic_qualif.cli` is a thin layer over it.
"""

__version__ = "0.1.0"
