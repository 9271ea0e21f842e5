"""The README's serve command brings the site up on 127.0.0.1."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_serve_command():
    text = (ROOT / "README.md").read_text()
    command = text.split("```bash\n", 1)[1].split("\n```", 1)[0]
    assert command.endswith("python -m generator serve")
    return command


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_readme_serve_command_serves_the_site():
    port = free_port()
    process = subprocess.Popen(["bash", "-c", f"{readme_serve_command()} --port {port}"], cwd=ROOT,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 300
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/calculators/will-it-fit/", timeout=5) as reply:
                    body = reply.read().decode()
                break
            except OSError:
                assert time.time() < deadline, "the site did not come up within 5 minutes"
                time.sleep(1)
        assert 'data-page="fit"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/vendor/pyodide/pyodide.asm.wasm") as reply:
            assert reply.headers["Content-Type"] == "application/wasm"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
