"""Builds the C core (runtime/*.c) as the extension pallas_kernel._core, and
ships the Sire standard library (sire/*.sire at the repository root) inside
the package as pallas_kernel/sire_library/, where an installed `pallas` finds it,
installs the kernelspec `pallas` (share/jupyter/kernels/pallas/) and the
prebuilt JupyterLab extension (pallas_kernel/labextension/,
built from labextension/ by `make labextension`) as shared data under
share/jupyter/labextensions/pallas-sire/, where JupyterLab finds it: installing
the wheel needs no Node."""
import glob
import os
import shutil

from setuptools import Extension, setup
from setuptools.command.build_py import build_py


class BuildWithLibrary(build_py):
    """build_py that also copies sire/*.sire into the built package."""

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "pallas_kernel", "sire_library")
        os.makedirs(target, exist_ok=True)
        for path in sorted(glob.glob("sire/*.sire")):
            shutil.copy(path, target)


LABEXTENSION = "share/jupyter/labextensions/pallas-sire"


def labextension_files() -> list[tuple[str, list[str]]]:
    """data_files for the built extension: every file of
    pallas_kernel/labextension/ under LABEXTENSION, keeping its folders, and
    labextension/install.json (which tells `jupyter labextension list` that
    pip installed it)."""
    built = "pallas_kernel/labextension"
    by_dir: dict[str, list[str]] = {LABEXTENSION: ["labextension/install.json"]}
    for path in sorted(glob.glob(f"{built}/**/*", recursive=True)):
        if os.path.isfile(path):
            rel = os.path.relpath(os.path.dirname(path), built)
            target = LABEXTENSION if rel == "." else f"{LABEXTENSION}/{rel}"
            by_dir.setdefault(target, []).append(path)
    return sorted(by_dir.items())


KERNELSPEC = "share/jupyter/kernels/pallas"


def kernelspec_files() -> list[tuple[str, list[str]]]:
    """data_files for the kernelspec `pallas`, installed by pip beside
    Jupyter's own; its argv starts with "python", which jupyter_client
    replaces by the Python running it."""
    res = "pallas_kernel/kernel/resources"
    return [(KERNELSPEC, [f"{res}/kernel.json", f"{res}/logo-32x32.png", f"{res}/logo-64x64.png"])]


extra = ["-O2", "-std=c11", "-fvisibility=hidden", "-Wall", "-Wno-unused-function"]
if os.environ.get("PK_DEBUG"):
    extra += ["-O0", "-g", "-UNDEBUG"]
if os.environ.get("PK_GC_STRESS"):
    extra += ["-DPK_GC_STRESS=1"]
link = []
if os.environ.get("PK_ASAN"):
    extra += ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"]
    link += ["-fsanitize=address"]

setup(
    cmdclass={"build_py": BuildWithLibrary},
    data_files=kernelspec_files() + labextension_files(),
    ext_modules=[
        Extension(
            "pallas_kernel._core",
            sources=sorted(glob.glob("runtime/*.c")),
            depends=sorted(glob.glob("runtime/*.h")),
            include_dirs=["runtime"],
            extra_compile_args=extra,
            extra_link_args=link,
        )
    ]
)
