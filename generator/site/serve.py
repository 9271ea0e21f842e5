"""`python -m generator serve`: the built site on 127.0.0.1, served as a static host would serve it."""

import functools
import gzip
import http.server
import os
import sys

from .build import SITE_DIR, build_site

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


class StaticHandler(http.server.SimpleHTTPRequestHandler):
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

    def send_error(self, code, message=None, explain=None):
        """A missing page gets the site's 404.html, with its 404 status, as static hosts serve it."""
        not_found = os.path.join(self.directory, "404.html")
        if code != 404 or self.command != "GET" or not os.path.isfile(not_found):
            return super().send_error(code, message, explain)
        with open(not_found, "rb") as handle:
            body = handle.read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # quiet: one line per error only
        if args and str(args[1]).startswith(("4", "5")):
            super().log_message(format, *args)


def serve_site(port: int = DEFAULT_PORT, build: bool = True) -> int:
    if build:
        code = build_site(site_url=f"http://{DEFAULT_HOST}:{port}/", local=True)
        if code:
            return code
    if not (SITE_DIR / "index.html").exists():
        print("error: site/ has not been built; run `python -m generator build`", file=sys.stderr)
        return 2
    handler = functools.partial(StaticHandler, directory=str(SITE_DIR))
    with http.server.ThreadingHTTPServer((DEFAULT_HOST, port), handler) as server:
        print(f"serving the site on http://{DEFAULT_HOST}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0

