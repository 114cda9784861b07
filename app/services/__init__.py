"""Orchestration: load facts through repositories, call the domain, write changes."""
