"""Synergraph's seed data: sourced facts, official territorial data and the example set."""
