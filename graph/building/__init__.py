"""Building the graph: load, checks, inference, audit, statistics and exports."""
