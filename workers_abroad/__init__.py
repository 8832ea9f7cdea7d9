"""What readers and teachers run from their environment besides the notebooks' ``helpers``.

Installed with the collection (``pip install -e .``, ``./tasks lab``) under a name of its own,
so it cannot clash with another project's ``tools`` or ``site`` in a reader's environment. Two
rooms, each importing only the room below it and ``helpers``:

* :mod:`workers_abroad.publishing`: the static site, the ``--to workers-abroad`` nbconvert
  exporter, projector mode (Voila), the list of notebooks and the IPC kernel managers.
* :mod:`workers_abroad.classroom`: student copies, the handout and the sandboxed grader; it
  builds on publishing's list of notebooks.

Maintainer tooling (claims, navigation, execution, benchmark, hub rehearsal) stays in the
repository's ``tools/``, which is not installed.
"""
