"""Maintainer tooling, run from the repository root as ``python -m tools.<name>`` (or ``./tasks``).

Not installed: a reader's, Binder's or hub's environment gets ``helpers`` and ``workers_abroad``
only (pyproject.toml), and nothing they hold imports this package. These modules build on both.

* ``navigation``  prev / contents / next cells and the contents lists (``--check`` changes nothing)
* ``execute``     execute notebooks in place, byte-identical on re-run (``--check``: all executed)
* ``claims``      every number in the prose is data, a printed output or structural (``--report``)
* ``bench``       kernel floor, each notebook's delta, nbval time, import ratio, sizes
* ``hub_rehearsal``  N simulated students on a local JupyterHub
* ``jupyter_config/``  IPC kernels for the servers and nbconvert ``./tasks`` starts
* ``setup-git.sh``  pre-commit hooks and nbdime's notebook diffs for a clone
"""
