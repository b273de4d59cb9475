"""Reviewing a change (``svclint diff``): two sides loaded as ``check`` loads them, compared.

``trees`` opens each side (a directory, a file, or a git revision read into a temporary
directory), ``connectivity`` compares the routing matrices cell by cell with the objects
that caused each change, ``compare`` matches the findings by fingerprint (``lint.baseline``)
and decides the exit code, ``formats`` writes text, JSON, Markdown and SARIF.
"""
