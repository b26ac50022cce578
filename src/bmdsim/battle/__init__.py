"""Battle management: the scenario physics (`world`), the policies and the engine."""
