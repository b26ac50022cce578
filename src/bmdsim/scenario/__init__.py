"""Scenario files: schema (`schema`), loading with line-numbered errors (`load`)."""

from bmdsim.scenario.load import LoadedScenario, ScenarioError, load_scenario, parse_scenario
from bmdsim.scenario.schema import Scenario

__all__ = ["LoadedScenario", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
