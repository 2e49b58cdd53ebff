"""Synergraph: a knowledge graph of public-sector responsibilities, territories and initiatives."""

__version__ = "0.1.0"
