"""`python -m generator build` and `python -m generator serve`."""

import functools
import gzip
import http.server
import os
import subprocess
import sys

from generator.records import RecordError, load_record

from .assets import PYODIDE_DIR, ROOT, MissingAsset, vendored_files

SITE_DIR = ROOT / "site"
GPU_RUNS = ROOT / "gpu_runs"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def register(commands):
    build = commands.add_parser("build", help="build the static site into site/")
    build.set_defaults(run=lambda args: build_site())
    serve = commands.add_parser("serve", help="build the site, then serve it on 127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--no-build", action="store_true", help="serve site/ as it is")
    serve.set_defaults(run=lambda args: serve_site(args.port, build=not args.no_build))
    from . import performance  # imports playwright only when run

    performance.register(commands)


def ensure_node_modules():
    """Install the pinned npm packages when they are missing (package-lock.json pins them)."""
    if (PYODIDE_DIR / "pyodide.mjs").exists():
        return
    print("installing the pinned browser assets: npm ci", file=sys.stderr)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def validate_records(directory=GPU_RUNS) -> int:
    """Every record in gpu_runs/ must validate; the first bad one stops the build. Returns the count."""
    paths = sorted(directory.glob("*.json"))
    for path in paths:
        load_record(path)
    return len(paths)


def build_site(site_url: str | None = None) -> int:
    try:
        validate_records()
        ensure_node_modules()
        vendored_files()  # fail early, with the command that fixes it
    except (RecordError, MissingAsset, subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--site-dir",
                             str(SITE_DIR)], cwd=ROOT, env=env, check=False)
    return result.returncode


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves site/ like a static host would: right MIME types, gzip for text and wasm."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".wasm": "application/wasm", ".json": "application/json", ".js": "text/javascript"}
    COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".xml", ".map")
    _gzipped = {}  # (path, mtime) -> bytes, shared by every request

    def do_GET(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().do_GET()  # redirects to the address with a slash
            path = os.path.join(path, "index.html")
        if not (path.endswith(self.COMPRESSIBLE) and os.path.isfile(path)
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().do_GET()
        key = (path, os.stat(path).st_mtime_ns)
        if key not in self._gzipped:
            with open(path, "rb") as handle:
                self._gzipped[key] = gzip.compress(handle.read(), compresslevel=6)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # quiet: one line per error only
        if args and str(args[1]).startswith(("4", "5")):
            super().log_message(format, *args)


def serve_site(port: int = DEFAULT_PORT, build: bool = True) -> int:
    if build:
        code = build_site(site_url=f"http://{DEFAULT_HOST}:{port}/")
        if code:
            return code
    if not (SITE_DIR / "index.html").exists():
        print("error: site/ has not been built; run `python -m generator build`", file=sys.stderr)
        return 2
    handler = functools.partial(_Handler, directory=str(SITE_DIR))
    with http.server.ThreadingHTTPServer((DEFAULT_HOST, port), handler) as server:
        print(f"serving the site on http://{DEFAULT_HOST}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0

