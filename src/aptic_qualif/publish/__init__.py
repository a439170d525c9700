"""Publication of the référentiel as linked data (SKOS in JSON-LD and Turtle) and downloads.

Nothing here imports rdflib or pyld at import time: the command line stays fast to start.
"""
