"""Physics core: pure functions over numpy arrays, batch-first, SI units.

Every module that defines a numba kernel is in this package or imports from it, so importing
it first locks numba's cache files against concurrent compiles (`bmdsim._numba_cache`)."""

from bmdsim._numba_cache import install as _install_cache_locks

_install_cache_locks()
