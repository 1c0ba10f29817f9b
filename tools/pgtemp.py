#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    python tools/pgtemp.py [--dbname NAME] -- COMMAND [ARG...]

Creates a cluster in a temporary directory, starts it on a free loopback port (never the system
cluster, never a public address), creates database NAME (default "mangnon"), runs COMMAND with
DATABASE_URL pointing at it, then stops the cluster and deletes the directory, also when the command
fails or the run is interrupted. Exits with the command's exit code.

    python tools/pgtemp.py --check

exits 0 when the PostgreSQL server binaries are installed. Exit code 3 always means "PostgreSQL is not
installed" (the Makefile decides whether that fails the run or skips the stage).

Standard library only: it runs before (and independently of) the project's virtualenv.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

EXIT_NO_POSTGRES = 3
# A throwaway cluster never needs durability; these make initdb and the test suite much faster.
FAST_UNSAFE = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]


class PostgresMissing(Exception):
    pass


def find_bindir() -> Path:
    """The directory holding initdb/pg_ctl: $PG_BINDIR, `pg_config --bindir`, or the newest Debian one."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    # Debian's pg_config (from libpq-dev) reports /usr/bin, which has no initdb; the server lives here.
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` package "
        "or set PG_BINDIR."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One temporary cluster. As root, the server runs as `postgres` (initdb refuses to run as root)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="mangnon-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = 0
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _server_cmd(self, name: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / name), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_postgres else cmd

    def _run(self, cmd: Sequence[str]) -> None:
        # cwd inside the cluster dir: the postgres user may not be allowed into the caller's cwd.
        result = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def start(self, dbname: str) -> None:
        self._run(
            self._server_cmd(
                "initdb",
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
        )
        # The port is free when probed but may be taken before the server binds it: retry a few times.
        for attempt in range(5):
            self.port = free_port()
            options = " ".join(
                ["-p", str(self.port), "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", *FAST_UNSAFE]
            )
            try:
                self._run(
                    self._server_cmd(
                        "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
                    )
                )
                break
            except RuntimeError:
                if attempt == 4:
                    raise
                time.sleep(0.2)
        # Trust auth on loopback: the client tools run as whoever we are.
        self._run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname]
        )

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop_and_remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(self._server_cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"))
            except RuntimeError as exc:
                print(f"pgtemp: {exc}", file=sys.stderr)
                self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def run(command: Sequence[str], dbname: str) -> int:
    try:
        bindir = find_bindir()
    except PostgresMissing as exc:
        print(f"pgtemp: {exc}", file=sys.stderr)
        return EXIT_NO_POSTGRES

    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        # SIGTERM/SIGHUP (CI timeout, closed terminal): pass it on, then clean up as on normal exit.
        if child is not None and child.poll() is None:
            child.send_signal(signum)
        else:
            raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)

    cluster = Cluster(bindir)
    try:
        try:
            cluster.start(dbname)
        except RuntimeError as exc:
            print(f"pgtemp: could not start PostgreSQL: {exc}\n{cluster.log_tail()}", file=sys.stderr)
            return 1
        url = cluster.url(dbname)
        print(
            f"pgtemp: PostgreSQL from {bindir} on 127.0.0.1:{cluster.port} ({cluster.root})", file=sys.stderr
        )
        child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})
        interrupts = 0
        while True:
            try:
                returncode = child.wait()
                break
            except KeyboardInterrupt:
                # Ctrl-C reached the child too (same process group): let it finish its own cleanup,
                # unless the user insists.
                interrupts += 1
                if interrupts > 1:
                    child.terminate()
        return returncode if returncode >= 0 else 128 - returncode
    except KeyboardInterrupt:
        return 130
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        cluster.stop_and_remove()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dbname", default="mangnon", help="database to create (default: mangnon)")
    parser.add_argument("--check", action="store_true", help="only report whether PostgreSQL is installed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = parser.parse_args(argv)
    if args.check:
        try:
            print(f"pgtemp: PostgreSQL binaries in {find_bindir()}")
        except PostgresMissing as exc:
            print(f"pgtemp: {exc}", file=sys.stderr)
            return EXIT_NO_POSTGRES
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    return run(command, args.dbname)


if __name__ == "__main__":
    sys.exit(main())
