"""Thin HTTP layer: parse, authorise, one service call, respond."""
