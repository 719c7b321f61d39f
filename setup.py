"""Builds the C core (runtime/*.c) as the extension pallas_kernel._core, and
ships the Sire standard library (sire/*.sire at the repository root) inside
the package as pallas_kernel/sire_library/, where an installed `pallas` finds it."""
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
