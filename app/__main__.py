"""`python -m app ...` is the `certverify` command."""

from app.cli import main

main()
