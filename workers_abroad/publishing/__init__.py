"""Publishing: the notebooks as pages a reader opens without a kernel, or a class watches.

* ``notebooks``  the one list of the collection's notebooks and the one title reader
* ``render``     a notebook as a safe page: sanitizing, charts with their tables, widget snapshots
* ``export``     ``jupyter nbconvert --to workers-abroad``: one self-contained page
* ``site``       ``python -m workers_abroad.publishing.site``: the static site (``./tasks site``)
* ``present``    projector mode in Voila (``./tasks present``); ``voila/`` holds its template
* ``kernels``, ``server_kernels``   kernels over IPC for nbclient, nbconvert, nbval and servers
"""
