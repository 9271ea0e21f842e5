"""A calculator form's strings read into values, and the inputs that every page reads the same way.

`Inputs` reads one form (or URL query), collecting an error per field instead of stopping at the first, so a
page's `compute` (calculators/pages/) can say everything wrong at once. `read_model` turns the model inputs
(a preset, a custom llama-style architecture or a pasted config.json) into an `Architecture`; `options` are
the choices of the selects several pages share; `carried_fields` are the inputs that travel between pages.
"""

from .architecture import Architecture
from .errors import CalculatorError
from .formats import KV_FORMATS, WEIGHT_FORMATS, resolve_kv_format_id, resolve_weight_format_id
from .hardware import ACCELERATORS
from .hf_config import architecture_from_config, architecture_from_json
from .presets import PRESETS, preset
from .validate import TOKEN_SUFFIXES, exact_whole, share_from_text, tokens_from_text

MAX_CONFIG_CHARS = 200_000
CUSTOM_FIELDS = ("hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size",
                 "vocab_size")
CUSTOM_DEFAULTS = {"hidden_size": "4096", "num_layers": "32", "num_heads": "32", "num_kv_heads": "8",
                   "head_dim": "128", "intermediate_size": "14336", "vocab_size": "128256"}
# Byte units a page may show: binary, as drivers and memory specs count, or decimal, as model hubs list files
# and vendors label cards.
UNITS = ("GiB", "GB")
# Choices that also accept other names for their entries.
_FORMAT_NAMES = {"format": resolve_weight_format_id, "kv_format": resolve_kv_format_id}
# Inputs that mean the same on every page that asks for them, by the name they carry between pages: the
# roofline's prompt length is the context the other pages ask for (it sets the KV cache a decode step reads).
CARRIED_INPUTS = ("model", "format", "kv_format", "gpu", "gpus", "context", "batch", "units")
CARRIED = CARRIED_INPUTS + CUSTOM_FIELDS + ("tie_embeddings",)  # a custom architecture's sizes travel with it
CARRIED_AS = {"prompt": "context", "concurrency": "batch"}


_CARRIED_FIELDS = {}  # by page name: a page's declaration never changes once loaded


def carried_fields(page) -> dict:
    """{field of this page (a `page.Page`): the name it carries between pages} for the inputs that travel."""
    known = _CARRIED_FIELDS.get(page.name)
    if known is not None:
        return known
    fields = [f.name for f in page.fields if f.carried]
    if "model" in page.defaults:
        fields += list(CUSTOM_FIELDS) + ["tie_embeddings"]
    known = {field: CARRIED_AS.get(field, field) for field in fields if CARRIED_AS.get(field, field) in CARRIED}
    _CARRIED_FIELDS[page.name] = known
    return known


class Inputs:
    """Reads one form's strings, collecting an error per field instead of stopping at the first."""

    def __init__(self, defaults: dict, params: dict):
        self.raw = {**defaults, **{k: v for k, v in params.items() if isinstance(v, str)}}
        self.values = {}
        self.errors = {}
        self.notes = []  # said above the result

    def fail(self, field, message):
        self.errors.setdefault(field, message)

    def text(self, field, limit=200):
        value = self.raw.get(field, "")
        if len(value) > limit:
            self.fail(field, f"too long (more than {limit:,} characters)")
            return None
        self.values[field] = value
        return value

    def whole(self, field, minimum, maximum, label, tokens=False):
        text = self.raw.get(field, "").strip().replace(",", "").replace("_", "")
        self.values[field] = self.raw.get(field, "")[:40]
        if not text:
            self.fail(field, f"enter the {label}")
            return None
        if tokens and text[-1:].lower() in TOKEN_SUFFIXES:  # "128k" = 131,072 tokens, as model cards write it
            try:
                text = str(tokens_from_text(text, field))
            except CalculatorError as error:
                self.fail(field, str(error))
                return None
        if text.startswith("-") and text[1:].isdigit():
            self.fail(field, f"the {label} must be at least {minimum:,}")
            return None
        written = exact_whole(text)  # digits, or exact scientific notation ("1e6")
        if written is not None:
            text = str(written)
        if not text.isdigit():
            self.fail(field, f"the {label} must be a whole number (digits, or 1e6)")
            return None
        if len(text) > 12 or int(text) > maximum:
            self.fail(field, f"the {label} must be at most {maximum:,}")
            return None
        number = int(text)
        if number < minimum:
            self.fail(field, f"the {label} must be at least {minimum:,}")
            return None
        return number

    def number(self, field, minimum, maximum, label):
        text = self.raw.get(field, "").strip()
        self.values[field] = text[:40]
        try:
            number = float(text)
        except ValueError:
            self.fail(field, f"the {label} must be a number" if text else f"enter the {label}")
            return None
        if not (minimum <= number <= maximum):  # also false for NaN
            self.fail(field, f"the {label} must be between {minimum:g} and {maximum:g}")
            return None
        return number

    def optional_number(self, field, minimum, maximum, label):
        """A number, or None when the field is left empty."""
        if not self.raw.get(field, "").strip():
            self.values[field] = ""
            return None
        return self.number(field, minimum, maximum, label)

    def share(self, field, minimum, maximum, label):
        """A fraction ("0.9") or a percentage ("90%")."""
        text = self.raw.get(field, "").strip()
        self.values[field] = text[:40]
        if not text:
            self.fail(field, f"enter the {label}")
            return None
        try:
            value = share_from_text(text)
        except CalculatorError as error:
            self.fail(field, str(error))
            return None
        if not minimum <= value <= maximum:
            self.fail(field, f"the {label} must be between {minimum:g} and {maximum:g} ({minimum:.0%} to "
                             f"{maximum:.0%})")
            return None
        return value

    def choice(self, field, choices, label):
        value = self.raw.get(field, "")
        if value not in choices and field in _FORMAT_NAMES:  # old ids and llama.cpp names ("Q4_K_M", "q8_0")
            value = _FORMAT_NAMES[field](value) or value
        self.values[field] = value[:60]
        if value not in choices:
            self.fail(field, f"unknown {label}; pick one from the list")
            return None
        return value

    def flag(self, field):
        value = self.raw.get(field, "") in ("on", "1", "true", "yes")
        self.values[field] = "on" if value else ""
        return value


def read_model(inputs: Inputs) -> Architecture | None:
    """The architecture the model inputs name, or None with an error on the field at fault."""
    choices = set(PRESETS) | {"custom", "config"}
    model = inputs.choice("model", choices, "model")
    if model is None:
        return None
    if model == "config":
        text = inputs.text("config", MAX_CONFIG_CHARS)
        if text is None:
            return None
        if not text.strip():
            inputs.fail("config", "paste a config.json")
            return None
        try:
            arch = architecture_from_json(text, name="pasted config.json")
        except CalculatorError as error:
            inputs.fail("config", str(error))
            return None
        if arch.text_model_of:
            inputs.notes.append(f"This config.json describes a multimodal model (model_type "
                                f"'{arch.text_model_of}'): only its text model is counted, not its vision "
                                "encoder or projector.")
        return arch
    if model == "custom":
        return _custom_model(inputs)
    return preset(model).architecture


def _custom_model(inputs: Inputs) -> Architecture | None:
    for field, default in CUSTOM_DEFAULTS.items():
        inputs.raw.setdefault(field, default)
    sizes = {field: inputs.whole(field, 1, 1 << 22, field.replace("_", " ")) for field in CUSTOM_FIELDS}
    tie = inputs.flag("tie_embeddings")
    if None in sizes.values():
        return None
    config = {"model_type": "llama", "hidden_size": sizes["hidden_size"], "num_hidden_layers": sizes["num_layers"],
              "num_attention_heads": sizes["num_heads"], "num_key_value_heads": sizes["num_kv_heads"],
              "head_dim": sizes["head_dim"], "intermediate_size": sizes["intermediate_size"],
              "vocab_size": sizes["vocab_size"], "tie_word_embeddings": tie}
    try:
        return architecture_from_config(config, name="custom architecture")
    except CalculatorError as error:
        field = {"num_key_value_heads": "num_kv_heads", "num_attention_heads": "num_heads"}.get(error.field,
                                                                                                 error.field)
        inputs.fail(field if field in CUSTOM_FIELDS else "num_kv_heads", str(error).split(": ", 1)[-1])
        return None

def options() -> dict:
    """The choices of the selects several pages share; a page adds its own (`Page.choices`)."""
    return {
        "model": [(p.id, p.name) for p in PRESETS.values()] + [("custom", "Custom architecture"),
                                                                ("config", "Paste a config.json (or fetch one from the Hub)")],
        "format": [(f.id, f.label) for f in WEIGHT_FORMATS.values()],
        "units": [("GiB", "GiB (binary: drivers, memory specs)"), ("GB", "GB (decimal: model hubs, GPU boxes)")],
        "kv_format": [(f.id, f.label) for f in KV_FORMATS.values()],
        "gpu": [(g.id, g.name) for g in ACCELERATORS.values()],
    }


FORMAT_GROUP_ORDER = ("16- and 32-bit", "8-bit", "bitsandbytes", "GPTQ and AWQ", "Group-wise integer",
                      "4-bit floating point", "GGUF (llama.cpp)", "EXL2 (ExLlamaV2)", "Codebooks (AQLM)")


def option_groups() -> dict:
    """{select: [(heading, [(value, label), ...]), ...]} for the selects listed under headings."""
    formats = {group: [] for group in FORMAT_GROUP_ORDER}
    for f in WEIGHT_FORMATS.values():
        formats[f.group].append((f.id, f.label))
    return {"format": [(group, choices) for group, choices in formats.items() if choices]}


def read_deployment(inputs: Inputs) -> tuple:
    """(architecture, weight format id, KV-cache format id, accelerator id): what several pages ask for, each
    None where its field is at fault."""
    return (read_model(inputs), inputs.choice("format", WEIGHT_FORMATS, "weight format"),
            inputs.choice("kv_format", KV_FORMATS, "KV-cache format"), inputs.choice("gpu", ACCELERATORS, "GPU"))
