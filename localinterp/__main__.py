"""`python -m localinterp`."""

from localinterp.cli import main

main()
