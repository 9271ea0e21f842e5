"""`python -m generator build`: validate the records, vendor the browser assets, run mkdocs."""

import os
import subprocess
import sys

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


