"""``python -m pallas_kernel.kernel``: run the kernel (Jupyter starts it so,
with ``-f CONNECTION_FILE``), or ``install [--user|--sys-prefix|--prefix P]``
the kernelspec."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        from .install import main as install_main

        return install_main(argv[1:])
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import PallasKernel

    IPKernelApp.launch_instance(argv=argv, kernel_class=PallasKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
