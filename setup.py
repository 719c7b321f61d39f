"""Builds the C core (runtime/*.c) as the extension pallas_kernel._core."""
import glob
import os

from setuptools import Extension, setup

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
