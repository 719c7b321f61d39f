"""The machine's devices: one module each (``eval``, ``http``...), every one
implementing :class:`pallas_kernel.machine.device.Device`."""
