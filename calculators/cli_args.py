"""The argument types and the model options the commands of `python -m calculators` share.

Each type gives argparse a clear message instead of a traceback; the commands themselves are declared with
their pages (calculators/pages/) and assembled by calculators/cli.py.
"""

import sys

from .architecture import Architecture
from .display import gib
from .errors import CalculatorError
from .hf_config import architecture_from_json
from .presets import preset_architecture
from .validate import exact_whole, share_from_text, tokens_from_text

MAX_CONFIG_BYTES = 1 << 20


def _negative(text: str) -> int | None:
    """A negative whole number, passed on so that the calculator's own range check names the least."""
    plain = text.strip().replace("_", "")
    return int(plain) if plain.startswith("-") and plain[1:].isdigit() else None


def whole(text: str) -> int:
    """argparse type for counts: digits or 1e6; a clear message instead of a traceback."""
    value = _negative(text)
    if value is None:
        value = exact_whole(text)
    if value is None:
        raise _argument_error(f"{text[:40]!r} is not a whole number (digits, or 1e6)")
    return value


def tokens(text: str) -> int:
    """argparse type for token counts: 131072, 131,072, 128k (k = 1,024 tokens) or 1e6."""
    value = _negative(text)
    if value is not None:
        return value
    try:
        return tokens_from_text(text)
    except CalculatorError as error:
        raise _argument_error(str(error)) from None


def share(text: str) -> float:
    """argparse type for a share: 0.9 or 90%."""
    try:
        return share_from_text(text)
    except CalculatorError as error:
        raise _argument_error(str(error)) from None


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _argument_error(f"{text[:40]!r} is not a number") from None


def number_between(text: str, low: float, high: float, label: str) -> float:
    """A number from low to high (NaN is not one), or argparse's error naming the label and the range."""
    value = number(text)
    if not low <= value <= high:
        raise _argument_error(f"the {label} must be between {low:g} and {high:g}")
    return value


def load_model(args) -> Architecture:
    """The architecture of --config (a Hugging Face config.json) or of the preset --model names. A multimodal
    config's text model is the one counted, which a note on stderr says (the page says it beside the result),
    leaving stdout to the table or the JSON."""
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as handle:
                text = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            raise CalculatorError(f"cannot read {args.config}: {error.strerror}", "config") from None
        except UnicodeDecodeError:
            raise CalculatorError(f"{args.config} is not UTF-8 text", "config") from None
        if len(text) > MAX_CONFIG_BYTES:
            raise CalculatorError(f"{args.config} is larger than 1 MiB; is it really a config.json?", "config")
        arch = architecture_from_json(text, source=args.config)
        if arch.text_model_of:
            print(f"note: {args.config} describes a multimodal model (model_type '{arch.text_model_of}'): only its "
                  "text model is counted, not its vision encoder or projector", file=sys.stderr)
        return arch
    return preset_architecture(args.model)


def sizer(args):
    """The function that writes a number of bytes in the unit --units names (add_units)."""
    return lambda n: gib(n, args.units)


def add_units(parser):
    parser.add_argument("--units", choices=("GiB", "GB"), default="GiB",
                        help="sizes in GiB (binary, as drivers and memory specs) or GB (decimal, as model hubs and "
                             "card labels); the JSON gives bytes")


def add_model(parser):
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", help="a preset id (see `models`)")
    group.add_argument("--config", help="path to a Hugging Face config.json")


def model_json(arch: Architecture) -> dict:
    """The model as the JSON output names it; text_model_of is the multimodal wrapper's model_type, if any."""
    return {"name": arch.name, "source": arch.source, "text_model_of": arch.text_model_of or None}


def table(rows):
    """Rows of cells as lines of text in aligned columns."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def _argument_error(message: str) -> Exception:
    """argparse's error for a bad value; argparse is imported only when a command line is read, since the page
    declarations that name these types also run in the browser, where no command line is."""
    import argparse

    return argparse.ArgumentTypeError(message)
