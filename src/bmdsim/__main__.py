"""`python -m bmdsim` runs the command-line interface."""

from bmdsim.cli import main

main()
