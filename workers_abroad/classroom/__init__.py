"""The classroom: what a teacher runs to hand notebooks out and grade them.

* ``exercise_cells``  where each exercise sits in a notebook, a student's copy, answer leaks
* ``handout``         the student handout (notebooks, data, helpers with hashed checks)
* ``student``         ``python -m workers_abroad.classroom.student`` (``./tasks student``)
* ``grade``           ``python -m workers_abroad.classroom.grade`` (``./tasks grade``)
* ``sandbox``, ``sandbox_runner``   the bubblewrap sandbox each submission runs in
"""
