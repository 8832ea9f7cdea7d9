"""Maintainer tooling: site build, claims check, navigation, execution, benchmark, classroom commands.

Readers never import this package; notebooks import only ``helpers``.
"""
