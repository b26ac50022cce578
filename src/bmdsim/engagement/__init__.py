"""Engagement layer: interceptor fly-out tables (more to come: windows, footprints)."""

from bmdsim.engagement.flyout_table import (
    MODEL_VERSION,
    FlyoutTable,
    FlyoutTableError,
    FlyoutTableSettings,
    InterceptorKinematics,
    build_flyout_table,
    default_cache_dir,
    flyout_table_key,
    get_flyout_table,
)

__all__ = [
    "MODEL_VERSION",
    "FlyoutTable",
    "FlyoutTableError",
    "FlyoutTableSettings",
    "InterceptorKinematics",
    "build_flyout_table",
    "default_cache_dir",
    "flyout_table_key",
    "get_flyout_table",
]
