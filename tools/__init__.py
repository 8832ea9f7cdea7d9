"""Maintainer tooling, run from the repository root as ``python -m tools.<name>``.

Readers never import this package; notebooks import only ``helpers``. Every tool finds the
notebooks through :mod:`tools.notebooks` (the one list and the one title reader).

* ``notebooks``   ``NOTEBOOKS_DIR``, ``notebook_paths()``, ``first_heading()``
* ``navigation``  prev / contents / next cells and the contents lists (``--check`` changes nothing)
* ``execute``     execute notebooks in place, byte-identical on re-run (``--check``: all executed)
* ``claims``      every number in the prose is data, a printed output or structural (``--report``)
* ``bench``       kernel floor, each notebook's delta, nbval time, import ratio, sizes
* ``site``, ``export``    the static site and the nbconvert exporter
* ``present``, ``student``, ``grade``    classroom commands
* ``setup-git.sh``         pre-commit hooks and nbdime's notebook diffs for a clone
"""
