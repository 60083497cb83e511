"""Evaluate: policies (YAML + CEL) loaded and compiled once, run against every deployment.

The CEL library sits behind :mod:`greengate.policy.cel.backend`; the rest of
the package knows only that interface.
"""
