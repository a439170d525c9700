"""``python -m aptic_qualif``."""

from aptic_qualif.cli import main

main()
