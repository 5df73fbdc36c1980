"""Network analysis: projections of the graph, metrics, paths and the committee's complementarity."""
