"""Shared by the bench scripts (and some tests): BENCHMARKS.md sections, chromium, a Ray cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Debian's chromium, as root, on a machine with no network: these flags keep it from
# trying to reach Google's hosts and from needing a sandbox or a GPU.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
    """A selenium driver for the system chromium, logging the browser console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (*CHROMIUM_FLAGS, f"--window-size={width},{height}"):
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='cleaner-chromium-')}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the section between `<!-- name:start -->` and `<!-- name:end -->`, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def ray_cluster(nodes: int = 2, cpus: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """A Ray cluster on this machine as `ray start` makes one: a head node, then `nodes - 1`
    nodes joining it, `cpus` CPUs each. Yields its address; stops its nodes (only them) after.

    No token: a private test cluster (Ray 2.5x asks nodes for one by default). `env` is added
    to the nodes' environment, which their workers inherit.
    """
    ray = str(Path(sys.executable).parent / "ray")
    full = os.environ | {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"} | (env or {})
    port = free_port()
    address = f"127.0.0.1:{port}"
    common = ["--num-cpus", str(cpus), "--disable-usage-stats", "--block"]
    quiet = {"env": full, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started = [
        subprocess.Popen(
            [ray, "start", "--head", "--port", str(port), "--include-dashboard", "false", *common], **quiet
        )
    ]
    try:
        _wait_for(address, 1, full)
        for n in range(2, nodes + 1):
            started.append(subprocess.Popen([ray, "start", "--address", address, *common], **quiet))
            _wait_for(address, n, full)
        yield address
    finally:
        for p in reversed(started):  # --block: stopping the command stops its node
            p.terminate()
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()


def _wait_for(address: str, nodes: int, env: dict[str, str]) -> None:
    """Until the cluster has `nodes` live nodes (asked from a subprocess: this one stays out of Ray)."""
    probe = (
        "import ray, sys; ray.init(address=sys.argv[1], logging_level='ERROR');"
        "print(sum(n['Alive'] for n in ray.nodes()))"
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        got = subprocess.run([sys.executable, "-c", probe, address], capture_output=True, text=True, env=env)
        if got.returncode == 0 and got.stdout.split()[-1:] == [str(nodes)]:
            return
        time.sleep(1)
    raise RuntimeError(f"the Ray cluster at {address} did not reach {nodes} live nodes in 120 s")
