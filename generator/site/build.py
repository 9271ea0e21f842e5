"""`python -m generator build`: validate the records, vendor the browser assets, run mkdocs."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from generator.records import RecordError, load_record

from .assets import PYODIDE_DIR, ROOT, MissingAsset, vendored_files

SITE_DIR = ROOT / "site"
GPU_RUNS = ROOT / "gpu_runs"


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


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def is_local(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


def build_site(site_url: str | None = None, local: bool = False, site_dir: Path = SITE_DIR) -> int:
    """Build the site into site_dir. site_url (or $SITE_URL) is the address it will be served from: its
    pages' canonical links and sitemap.xml name it, and the theme's instant navigation follows only the links
    the sitemap lists. With no address there are neither, and pages load whole. A local address is refused
    unless `local` (serve and site-benchmark build for 127.0.0.1): a build for hosting never points there."""
    site_url = site_url or os.environ.get("SITE_URL") or None
    if site_url:
        parts = urlparse(site_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            print(f"error: the site's address must be an http(s) address, not {site_url!r}", file=sys.stderr)
            return 2
        if is_local(site_url) and not local:
            print(f"error: {site_url} is a local address; a build for hosting names the address it will be served "
                  "from (`python -m generator serve` builds and serves the site on 127.0.0.1)", file=sys.stderr)
            return 2
    else:
        print("note: no site address (--site-url or SITE_URL): the pages get no canonical link, sitemap.xml lists "
              "none of them, and links load whole pages instead of using instant navigation", file=sys.stderr)
    try:
        validate_records()
        ensure_node_modules()
        vendored_files()  # fail early, with the command that fixes it
    except (RecordError, MissingAsset, subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    env.pop("SITE_URL", None)
    if site_url:
        env["SITE_URL"] = site_url if site_url.endswith("/") else site_url + "/"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--site-dir",
                             str(site_dir)], cwd=ROOT, env=env, check=False)
    return result.returncode
