"""Engagement layer: sensor visibility, interceptor fly-out tables, engagement windows."""
