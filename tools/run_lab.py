"""JupyterLab on the tutorials, with the Sire kernel and the Sire extension:
what ``make run`` does (and what tests/notebooks/test_make_run.py checks).

    python tools/run_lab.py setup [--prefix DIR]
    python tools/run_lab.py serve [--port N] [--prefix DIR] [--root DIR]

``setup`` makes the kernel and the extension visible to the JupyterLab of
this Python (``sys.prefix``, or ``DIR``): the kernelspec ``pallas`` (run by
this interpreter) in ``share/jupyter/kernels/pallas``, and the prebuilt
extension as a link ``share/jupyter/labextensions/pallas-sire`` to
``pallas_kernel/labextension`` of this checkout. ``pip install .`` installs
both as the wheel's shared data, but ``pip install -e`` installs no data
files, hence this step; the link (as ``jupyter labextension develop`` makes)
means a rebuilt extension (``make labextension``) is seen at once.

``serve`` runs ``setup``, then JupyterLab on ``notebooks/`` on 127.0.0.1
(port ``--port``, else ``$PORT``, else 8888; failing rather than moving to
another port, so the URL printed is the one it listens on), without opening
a browser. It prints the URL to open, with the access token (``$TOKEN``, else
a random one) and then runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILT_EXTENSION = ROOT / "pallas_kernel" / "labextension"
EXTENSION_NAME = "pallas-sire"
DEFAULT_PORT = 8888


def share_dir(prefix: str) -> Path:
    return Path(prefix) / "share" / "jupyter"


def install_kernelspec(prefix: str) -> str:
    """The kernelspec ``pallas``, run by this interpreter, under ``prefix``."""
    sys.path.insert(0, str(ROOT))
    from pallas_kernel.kernel.install import install

    return install(prefix=prefix)


def link_extension(prefix: str) -> Path:
    """``share/jupyter/labextensions/pallas-sire`` under ``prefix``, a link to
    the checkout's built extension (replacing an older link or copy)."""
    if not (BUILT_EXTENSION / "package.json").is_file():
        raise OSError(f"no built extension in {BUILT_EXTENSION} (run `make labextension`)")
    target = share_dir(prefix) / "labextensions" / EXTENSION_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() and target.resolve() == BUILT_EXTENSION.resolve():
        return target
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():                       # a copy, e.g. from `pip install .`
        import shutil

        shutil.rmtree(target)
    target.symlink_to(BUILT_EXTENSION, target_is_directory=True)
    return target


def setup(prefix: str) -> None:
    print(f"kernelspec pallas in {install_kernelspec(prefix)}")
    print(f"lab extension {EXTENSION_NAME} in {link_extension(prefix)}")


def lab_command(port: int, token: str, root: Path) -> list[str]:
    """The command line that starts JupyterLab (this interpreter's)."""
    command = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")          # containers and CI often run as root
    return command


def serve(port: int, prefix: str, root: Path) -> int:
    """Set up, print the URL, and run JupyterLab in this process's place."""
    setup(prefix)
    if Path(prefix).resolve() != Path(sys.prefix).resolve():
        extra = str(share_dir(prefix))
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join([extra] + ([old] if old else []))
    token = os.environ.get("TOKEN") or secrets.token_hex(16)
    print(f"\nJupyterLab with the Sire tutorials: http://127.0.0.1:{port}/lab?token={token}\n"
          "(Ctrl-C to stop)", flush=True)
    command = lab_command(port, token, root)
    os.execv(command[0], command)
    return 1                                    # not reached


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/run_lab.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("setup", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", default=sys.prefix,
                       help="install under PREFIX/share/jupyter (default: this Python's prefix)")
        if name == "serve":
            p.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
            p.add_argument("--root", type=Path, default=ROOT / "notebooks",
                           help="the directory JupyterLab shows (default: notebooks/)")
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup(args.prefix)
            return 0
        return serve(args.port, args.prefix, args.root)
    except OSError as e:
        print(f"tools/run_lab.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
