"""Pydantic v2 request and response models: the public contract (API.md)."""
