"""Synergraph's interfaces: the HTTP service (FastAPI) and the command line."""
