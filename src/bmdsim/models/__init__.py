"""Typed parameter sets (pydantic) loaded from the catalogs."""
