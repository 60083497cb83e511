"""The application layer: one module per command's use case, callable from Python.

The click commands in :mod:`greengate.cli` only parse options, call these
and render; everything a command does can be done without the CLI.
"""
