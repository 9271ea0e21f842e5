"""The run header of a record: device, library versions, git commit, command.

The commit comes from the git checkout the bench runs in; where there is none (the GPU machine gets a copy
of the working tree without .git), from the provenance file that `python -m generator bench-prepare` writes
before the copy is made (PROVENANCE_FILE, carried with it).
"""

import json

import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import torch

from ..records import write_json_atomically
from . import measure

REPO_ROOT = Path(__file__).resolve().parents[2]
CARRY_DIR = REPO_ROOT / ".gpu-carry"  # ignored by git; the GPU call carries it (gpu_runs/README.md)
PROVENANCE_FILE = CARRY_DIR / "provenance.json"


def pick_device(requested: str | None = None) -> torch.device:
    """`requested` ("cpu", "cuda", "cuda:1"), else CUDA when there is one, else the CPU."""
    if requested:
        device = torch.device(requested)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"--device {requested}: this torch ({torch.__version__}) sees no CUDA device")
        if device.type not in ("cpu", "cuda"):
            raise ValueError(f"--device {requested}: only cpu and cuda are benchmarked")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe_device(device: torch.device, measure_bandwidth: bool = True) -> dict:
    if device.type == "cuda":
        properties = torch.cuda.get_device_properties(device)
        return {"name": properties.name, "kind": "cuda", "cc": f"{properties.major}.{properties.minor}",
                "memory_bytes": properties.total_memory,
                "measured_bandwidth_bytes_s": measure.copy_bandwidth_bytes_s(device) if measure_bandwidth else None,
                "l2_cache_bytes": getattr(properties, "L2_cache_size", None) or None}
    return {"name": _cpu_name(), "kind": "cpu", "cc": None, "memory_bytes": _physical_memory_bytes(),
            "measured_bandwidth_bytes_s": None, "l2_cache_bytes": None}


def _cpu_name() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    name = match.group(1).strip() if match else (platform.processor() or platform.machine() or "cpu")
    return f"{name} ({os.cpu_count()} cores)"


def _physical_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def library_versions() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
            "transformers": _version("transformers"), "bitsandbytes": _version("bitsandbytes"),
            "driver": nvidia_driver_version()}


def nvidia_driver_version() -> str | None:
    """The NVIDIA driver's version as nvidia-smi reports it; None without nvidia-smi or a GPU."""
    try:
        answer = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = answer.stdout.strip().splitlines()
    return lines[0].strip() if answer.returncode == 0 and lines and lines[0].strip() else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_state() -> tuple:
    """(commit, dirty, source) of the code the bench runs: from its git checkout ("checkout"), else from the
    provenance file written before the code was copied ("provenance-file"), else (None, None, None)."""
    commit, dirty = _checkout_state()
    if commit is not None:
        return commit, dirty, "checkout"
    try:
        provenance = json.loads(PROVENANCE_FILE.read_text(encoding="utf-8"))
        return str(provenance["git_commit"]), bool(provenance["git_dirty"]), "provenance-file"
    except (OSError, ValueError, KeyError, TypeError):
        return None, None, None


def write_provenance(path: Path = PROVENANCE_FILE) -> dict:
    """Write the checkout's commit for a copy of the tree that will have no .git (the GPU machine's)."""
    commit, dirty = _checkout_state()
    if commit is None:
        raise RuntimeError(f"{REPO_ROOT} is not a git checkout: there is no commit to write")
    provenance = {"git_commit": commit, "git_dirty": dirty,
                  "written": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_json_atomically(path, provenance)
    return provenance


def _checkout_state() -> tuple:
    if not (REPO_ROOT / ".git").exists():
        return None, None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                                timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    if commit.returncode != 0 or status.returncode != 0:
        return None, None
    return commit.stdout.strip(), bool(status.stdout.strip())


def new_run_id(suite: str, device: dict, started: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", device["name"].lower()).strip("-")[:40] or device["kind"]
    return f"{started:%Y%m%dT%H%M%SZ}-{suite}-{slug}"


def run_header(suite: str, device: torch.device, command: str, run_id: str | None = None,
               measure_bandwidth: bool = True) -> dict:
    started = datetime.now(timezone.utc).replace(microsecond=0)
    described = describe_device(device, measure_bandwidth)
    commit, dirty, source = git_state()
    return {"id": run_id or new_run_id(suite, described, started), "suite": suite,
            "started": started.isoformat(), "finished": None, "git_commit": commit, "git_dirty": dirty,
            "git_source": source, "command": command, "device": described, "versions": library_versions()}


def command_line() -> str:
    return " ".join([Path(sys.executable).name, "-m", "generator", *sys.argv[1:]])
