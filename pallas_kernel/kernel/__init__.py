"""The Jupyter kernel: each cell is Sire, run by a :class:`~pallas_kernel.sire.session.Session`.

    kernel.py    the ipykernel wrapper kernel (execute, complete, inspect,
                 is_complete, interrupt, shutdown)
    cells.py     running one cell: blocks in order, stop at the first failure,
                 Ctrl-C restores the state before the cell; the outcome is a
                 value a recorder (the machine's log) can consume
    complete.py  completion and inspection answers from a session
    display.py   text/plain (Sire notation) and text/html for values
    install.py   the kernelspec ``pallas`` and ``python -m pallas_kernel.kernel install``

Nothing here is imported by the layers below; ipykernel is imported only by
kernel.py, so the display and cell logic are usable without it.
"""
