"""The machine's devices, one module each (the contract: ``..device``).

``time`` and ``rand`` answer from this process; ``eval`` runs jobs in an
executor (worker processes, or a dask cluster); ``http`` serves and makes
HTTP requests. Requests to cogs (``cog``) and the device list (``what``)
are answered by the loop itself (``..cog_requests``), since they read and
change the machine's state.
"""
