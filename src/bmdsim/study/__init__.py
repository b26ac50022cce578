"""Studies: runs, Monte Carlo and metrics."""
