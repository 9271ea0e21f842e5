"""The method registry: a frozen config dataclass per method, and the function that applies it.

    @dataclass(frozen=True)
    class MyConfig(MethodConfig):
        method_id: ClassVar[str] = "my-method"
        version: ClassVar[int] = 1
        group_size: int = 128
        ...

    @register(MyConfig)
    def quantize_my_method(model, config, device, calibration): ...   # changes `model` in place

`calibration` is a LongTensor of token ids (sequences x tokens) on `device`, for
methods that look at activations (GPTQ, AWQ, SmoothQuant); others ignore it.

`quantize(model, config, device)` dispatches on the config's type, so a new
method is a new file in this folder plus its import in `methods/__init__.py`.
Bump `version` whenever the method's behaviour changes, so old records stay
distinguishable from new ones.
"""

import dataclasses
import json
from dataclasses import dataclass
from typing import Callable, ClassVar

import torch

from ...records import one_line


class Unsupported(Exception):
    """The method cannot run here (device, library, tensor shape); the message is recorded as the reason."""


def require_op(op: str, device, probe: Callable) -> None:
    """Run `probe` (a small call of `op` on `device`); Unsupported, with the op's own first line, if it fails."""
    try:
        probe()
    except (NotImplementedError, RuntimeError) as error:
        raise Unsupported(f"{op} does not run on {device} with torch {torch.__version__}: {one_line(error)}") from None


@dataclass(frozen=True)
class MethodConfig:
    method_id: ClassVar[str]
    version: ClassVar[int]
    # Standard instances the suites benchmark, most valuable first (set after the class body).
    variants: ClassVar[tuple] = ()

    @property
    def weight_format(self) -> str:
        """The `calculators` weight format id that describes how this method stores weights."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """Short name for tables and logs."""
        return self.weight_format

    @property
    def kernel(self) -> str:
        """What computes this method's matrix products (recorded beside every speed, so a speed is read as
        that kernel's)."""
        raise NotImplementedError

    @property
    def speed_of(self) -> "MethodConfig | None":
        """Another method whose decode speed this one's is, because it ends on the same module and kernel
        (GPTQ and AWQ on round-to-nearest's int4 module); the speed suites then time only that one."""
        return None

    @property
    def compiled_only(self) -> bool:
        """True when the method's kernel is fast only once torch.compile fuses it (a dequantize-and-matmul):
        its eager timings are of an unfused reference path, and its compiled decode is its speed."""
        return False

    def to_record(self) -> dict:
        return {"id": self.method_id, "version": self.version, "config": dataclasses.asdict(self),
                "weight_format": self.weight_format, "label": self.label, "kernel": self.kernel}


@dataclass(frozen=True)
class _Method:
    config_type: type
    apply: Callable


_METHODS: dict[str, _Method] = {}


def register(config_type: type):
    """Decorator for the function that quantizes a model in place with a `config_type`."""
    if not (dataclasses.is_dataclass(config_type) and config_type.__dataclass_params__.frozen):
        raise TypeError(f"{config_type.__name__} must be a frozen dataclass")
    if config_type.method_id in _METHODS:
        raise ValueError(f"method id {config_type.method_id!r} is registered twice")
    try:
        json.dumps(dataclasses.asdict(config_type()))
    except TypeError as error:
        raise TypeError(f"{config_type.__name__}'s defaults are not JSON-serialisable: {error}") from None

    def decorator(function):
        _METHODS[config_type.method_id] = _Method(config_type, function)
        return function

    return decorator


def quantize(model, config: MethodConfig, device, calibration=None) -> None:
    """Apply `config`'s method to `model` in place; raises Unsupported when it cannot run on `device`."""
    method = _METHODS.get(getattr(config, "method_id", None))
    if method is None or type(config) is not method.config_type:
        raise TypeError(f"{type(config).__name__} is not a registered method config")
    method.apply(model, config, device, calibration)


def config_types() -> tuple:
    return tuple(method.config_type for method in _METHODS.values())


def standard_configs() -> list:
    """Every registered method's standard variants, in registration order."""
    return [variant for config_type in config_types() for variant in config_type.variants]


def config_from_record(method: dict) -> MethodConfig:
    """Rebuild a config from a record's `method` object (same id and version only)."""
    registered = _METHODS.get(method["id"])
    if registered is None:
        raise ValueError(f"unknown method id {method['id']!r}; known: {', '.join(_METHODS)}")
    if method["version"] != registered.config_type.version:
        raise ValueError(f"method {method['id']!r} is at version {registered.config_type.version}, "
                         f"the record has version {method['version']}")
    return registered.config_type(**method["config"])
