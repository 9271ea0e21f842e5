"""The run header of a record: device, library versions, git commit, command."""

import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import torch

from . import measure

REPO_ROOT = Path(__file__).resolve().parents[2]


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
                "measured_bandwidth_bytes_s": measure.copy_bandwidth_bytes_s(device) if measure_bandwidth else None}
    return {"name": _cpu_name(), "kind": "cpu", "cc": None, "memory_bytes": _physical_memory_bytes(),
            "measured_bandwidth_bytes_s": None}


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
            "transformers": _version("transformers"), "bitsandbytes": _version("bitsandbytes")}


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_state() -> tuple:
    """(commit, dirty) of the repository the bench runs from; (None, None) outside a git checkout."""
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
    commit, dirty = git_state()
    return {"id": run_id or new_run_id(suite, described, started), "suite": suite,
            "started": started.isoformat(), "finished": None, "git_commit": commit, "git_dirty": dirty,
            "command": command, "device": described, "versions": library_versions()}


def command_line() -> str:
    return " ".join([Path(sys.executable).name, "-m", "generator", *sys.argv[1:]])
