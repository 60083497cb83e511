"""Discover: which files to read, and from where (the work tree or one git commit).

:mod:`~greengate.sources.files` (``FileSource``, ``SourceFile``),
:mod:`~greengate.sources.discover` (paths and folders, ``.gitignore``),
:mod:`~greengate.sources.changeset` (what a change touches),
:mod:`~greengate.sources.git` (git through GitPython), and the globs config
keys match with.
"""
