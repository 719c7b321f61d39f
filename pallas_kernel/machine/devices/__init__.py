"""The machine's devices: one module per kind of request (``http``, ``eval``...),
each implementing :class:`pallas_kernel.machine.device.Device`."""
