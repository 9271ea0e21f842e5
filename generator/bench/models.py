"""Models for the bench: real architectures with random weights, made on the device.

A model is named by a `calculators` preset id (its published config.json builds
both the transformers model and the calculators Architecture, so measured and
predicted bytes describe the same shapes) or by a test model defined here.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForCausalLM

import calculators
from calculators.preset_configs import PRESET_CONFIGS

# A llama small enough for CPU tests; every dimension a multiple of 32, so the
# tinygemm (int4) and bitsandbytes block layouts apply without padding.
TINY_LLAMA_CONFIG = {
    "model_type": "llama", "architectures": ["LlamaForCausalLM"],
    "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
    "vocab_size": 512, "max_position_embeddings": 512, "tie_word_embeddings": False,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
}

TEST_MODELS = {"tiny-llama": TINY_LLAMA_CONFIG}


@dataclass(frozen=True)
class ModelSpec:
    id: str
    hf_config: dict = field(hash=False, compare=False)
    kind: str = "random-init"
    # A checkpoint to load instead of random weights: a local directory, or a hub id where the network allows.
    pretrained: str | None = None

    @property
    def architecture(self) -> calculators.Architecture:
        return calculators.architecture_from_config(self.hf_config, name=self.id)

    @property
    def vocab_size(self) -> int:
        return self.hf_config["vocab_size"]


def model_spec(model_id: str) -> ModelSpec:
    """A test model by name, else a calculators preset (unknown ids raise CalculatorError)."""
    if model_id in TEST_MODELS:
        return ModelSpec(model_id, TEST_MODELS[model_id])
    calculators.preset(model_id)
    return ModelSpec(model_id, PRESET_CONFIGS[model_id]["config"])


def pretrained_spec(source: str) -> ModelSpec:
    """A user's own model: a directory written by save_pretrained, or a hub id (needs the network).

    Its config.json goes through the calculators' importer too, so an architecture the
    calculators cannot count is refused here, before any weights are loaded.
    """
    directory = Path(source)
    if directory.is_dir():
        config_path = directory / "config.json"
        if not config_path.is_file():
            raise ValueError(f"{source} has no config.json: is it a directory written by save_pretrained?")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        name = directory.resolve().name
    else:
        try:
            config = AutoConfig.from_pretrained(source).to_dict()
        except OSError as error:
            raise ValueError(f"cannot load {source!r}: it is no local directory and the hub did not answer "
                             f"({str(error).splitlines()[0][:200]})") from None
        name = source
    calculators.architecture_from_config(config, name=name)  # CalculatorError names the field it cannot read
    return ModelSpec(f"pretrained:{name}"[:120], config, kind="pretrained", pretrained=source)


# Keys of a published config.json that describe the file, not the model (auto_map names remote code).
_NOT_CONFIG_SETTINGS = ("architectures", "auto_map", "_name_or_path", "transformers_version", "torch_dtype", "dtype")
# Falcon's first configs name their remote-code model type; transformers' built-in Falcon reads the same keys.
_BUILT_IN_MODEL_TYPES = {"RefinedWebModel": "falcon", "RefinedWeb": "falcon"}


def build_model(spec: ModelSpec, device, dtype=torch.bfloat16, seed: int = 0):
    """The spec's transformers *ForCausalLM with random weights made on `device`, in eval mode.

    The same seed on the same device gives the same weights, so every method
    starts from an identical model. A spec with `pretrained` loads that checkpoint instead.
    """
    if spec.pretrained is not None:
        model = AutoModelForCausalLM.from_pretrained(spec.pretrained, dtype=dtype).to(device)
        return model.eval().requires_grad_(False)
    settings = {key: value for key, value in spec.hf_config.items() if key not in _NOT_CONFIG_SETTINGS}
    settings["model_type"] = _BUILT_IN_MODEL_TYPES.get(settings["model_type"], settings["model_type"])
    config = AutoConfig.for_model(**settings)
    torch.manual_seed(seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    return model.eval().requires_grad_(False)


def parameter_count(model) -> int:
    """Elements of every parameter, each shared (tied) parameter once."""
    return sum(parameter.numel() for parameter in model.parameters())


# -- weights as stored ----------------------------------------------------------

def stored_tensors(model):
    """Every tensor that holds the model's weights in memory.

    Parameters and buffers of every module, plus the state bitsandbytes keeps
    beside them: Params4bit's QuantState (absmax, quant_map `code`, and with
    double quantization `offset` and the nested absmax and code in `state2`),
    Int8Params' CB and SCB, which the first forward pass moves into the
    module's MatmulLtState. `get_memory_footprint()` leaves the 4-bit absmax
    out, hence this walk.
    """
    state_types = _bitsandbytes_state_types()
    for module in model.modules():
        for tensor in (*module._parameters.values(), *module._buffers.values()):
            if tensor is None:
                continue
            yield tensor
            yield from _attached_tensors(vars(tensor).values(), state_types)
        yield from _attached_tensors(vars(module).values(), state_types)


def _attached_tensors(values, state_types):
    for value in values:
        if isinstance(value, torch.Tensor):
            yield value
        elif state_types and isinstance(value, state_types):
            yield from _attached_tensors(vars(value).values(), state_types)  # QuantState.state2 recurses


def _bitsandbytes_state_types() -> tuple:
    try:
        from bitsandbytes import MatmulLtState
        from bitsandbytes.functional import QuantState
    except ImportError:
        return ()
    return QuantState, MatmulLtState


def unique_storage_bytes(tensors) -> int:
    """Bytes of the storages behind `tensors`, each storage counted once (tied weights, views, aliases)."""
    seen = {}
    for tensor in tensors:
        storage = tensor.untyped_storage()
        seen[(tensor.device, storage.data_ptr())] = storage.nbytes()
    return sum(seen.values())


def weight_bytes_in_memory(model) -> int:
    return unique_storage_bytes(stored_tensors(model))


def state_dict_bytes(model) -> int:
    """Bytes of the tensors a checkpoint of this model would hold (bitsandbytes' packed quant_state included)."""
    return unique_storage_bytes(value for value in model.state_dict().values() if isinstance(value, torch.Tensor))
