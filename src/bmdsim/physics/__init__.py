"""Physics core: pure functions over numpy arrays, batch-first, SI units."""
