"""The Synergraph vocabulary, topics and SHACL shapes as Turtle files."""
