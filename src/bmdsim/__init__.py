"""bmdsim: an open, transparent simulator of cooperative ballistic missile defense architectures."""

__version__ = "0.1.0"
