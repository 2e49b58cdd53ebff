"""The Synergraph engine: loading, the store, analysis and graph projections."""
