"""Popular open models, built from their published config.json files."""

from collections.abc import Mapping

from .architecture import Architecture
from .errors import CalculatorError
from .hf_config import architecture_from_config
from .preset_configs import PRESET_CONFIGS
from .records import record


@record
class Preset:
    id: str
    name: str
    hf_repo: str
    architecture: Architecture
    config_source: str
    checkpoint_total_size: int | None  # tensor bytes of the published 16-bit safetensors checkpoint
    checkpoint_source: str | None
    notes: str


def _preset(preset_id: str, entry: dict) -> Preset:
    source = f"{entry['hf_repo']} config.json, read from {entry['config_source']}"
    arch = architecture_from_config(entry["config"], name=entry["name"], source=source)
    return Preset(id=preset_id, name=entry["name"], hf_repo=entry["hf_repo"], architecture=arch,
                  config_source=entry["config_source"], checkpoint_total_size=entry["checkpoint_total_size"],
                  checkpoint_source=entry["checkpoint_source"], notes=entry["notes"])


class _Presets(Mapping):
    """{preset id: Preset}, each built from its config the first time it is asked for: a page computes one
    model, and building all of them at import (the config importer run 46 times) made this module's import
    take 3.2 ms under Pyodide in Node, 0.7 ms without."""

    def __init__(self, configs: dict):
        self._configs = configs
        self._built = {}

    def __getitem__(self, preset_id):
        built = self._built.get(preset_id)
        if built is None:
            built = self._built[preset_id] = _preset(preset_id, self._configs[preset_id])
        return built

    def __contains__(self, preset_id):
        return preset_id in self._configs

    def __iter__(self):
        return iter(self._configs)

    def __len__(self):
        return len(self._configs)


PRESETS = _Presets(PRESET_CONFIGS)


def preset(preset_id: str) -> Preset:
    try:
        return PRESETS[preset_id]
    except (KeyError, TypeError):
        raise CalculatorError(
            f"unknown model {str(preset_id)[:40]!r}; `python -m calculators models` lists them", "model") from None


def preset_architecture(preset_id: str) -> Architecture:
    return preset(preset_id).architecture
