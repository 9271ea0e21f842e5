"""`python -m generator build`, `serve`, `site-benchmark` and `evidence`: the commands of the site stage."""

from . import performance
from .results import evidence
from .build import build_site
from .serve import DEFAULT_PORT, serve_site


def register(commands):
    build = commands.add_parser("build", help="build the static site into site/, for hosting")
    build.add_argument("--site-url", help="the address the site will be served from (default: $SITE_URL; "
                       "without one, no canonical links or sitemap entries, and no instant navigation)")
    build.set_defaults(run=lambda args: build_site(args.site_url))
    serve = commands.add_parser("serve", help="build the site, then serve it on 127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--no-build", action="store_true", help="serve site/ as it is")
    serve.set_defaults(run=lambda args: serve_site(args.port, build=not args.no_build))
    performance.register(commands)
    evidence.register(commands)
