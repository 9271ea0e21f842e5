"""The serving-stacks table: which quantization methods each stack loads, read from the same knowledge base the
decision wizard uses (calculators/knowledge.py), so the page and the wizard cannot disagree."""

import re
from dataclasses import dataclass

from calculators import knowledge

__all__ = ["stacks_table", "STACKS"]

# The serving and local-inference stacks the page compares, in the order it discusses them. transformers is a
# library rather than a server, so the table leaves it out.
STACKS = ("vllm", "sglang", "tgi", "trtllm", "llama.cpp", "ollama", "exllamav2", "mlx")


@dataclass(frozen=True)
class StackRow:
    stack: str  # the runtime's label
    methods: tuple  # labels of the methods it loads, in the knowledge base's order
    sources: tuple  # names of the sources that say so


def stack_rows() -> list:
    """A StackRow for each stack, in STACKS order."""
    rows = []
    for runtime in STACKS:
        methods = [method for method in knowledge.METHODS if runtime in method.loaders]
        sources = []
        for method in methods:
            name = knowledge.short_source(method.loaders[runtime])
            if name not in sources:
                sources.append(name)
        rows.append(StackRow(knowledge.RUNTIME_LABELS[runtime], tuple(method.label for method in methods),
                             tuple(sources)))
    return rows


_LINKED = re.compile(r"^(?P<name>.+?) \((?P<url>https://[^)\s]+)\)$")


def short_method_label(label: str) -> str:
    """A method's label without its parenthesised details: 'AWQ 4-bit g128 (W4A16)' -> 'AWQ 4-bit g128'."""
    return label.split(" (")[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _source_cell(name: str) -> str:
    """A source name; one that ends with its address in parentheses becomes a link."""
    match = _LINKED.match(name)
    if match:
        return f"[{_cell(match['name'])}]({match['url']})"
    return _cell(name)


def stacks_table() -> str:
    """A Markdown table: stack, the methods of the knowledge base it loads, and where that comes from."""
    lines = ["| Stack | Loads (of the methods the wizard knows) | Source |", "|---|---|---|"]
    for row in stack_rows():
        loads = ", ".join(short_method_label(method) for method in row.methods)
        sources = "; ".join(_source_cell(source) for source in row.sources)
        lines.append(f"| {_cell(row.stack)} | {_cell(loads)} | {sources} |")
    return "\n".join(lines) + "\n"
