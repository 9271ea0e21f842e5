"""The findings the home page leads with, each computed from the records and linking to the chart that shows
it. A finding whose data no record holds is left out, never written from elsewhere."""

from dataclasses import dataclass
from html import escape

from . import calibration, device
from .dataset import device_slug


@dataclass(frozen=True)
class Finding:
    html: str  # one sentence or two, numbers included
    link: str  # site-relative page URL with the chart's anchor


def findings(dataset) -> list:
    found = []
    for make in (_memory_finding, _launch_bound_finding, _graph_finding, _quality_finding):
        finding = make(dataset)
        if finding is not None:
            found.append(finding)
    return found


def _memory_finding(dataset):
    checks = [check for check in calibration.memory_checks(dataset.rows) if check.quantity == "weights"]
    if not checks:
        return None
    worst = max(abs(check.measured - check.predicted) for check in checks)
    methods = len({check.row.method for check in checks})
    models = sorted({check.row.model for check in checks})
    devices = sorted({check.row.run.device_name for check in checks})
    smallest = min(check.measured for check in checks)
    return Finding(f"The weight-memory calculator predicts the bytes of {methods} storage formats of the "
                   f"{escape(', '.join(models))} shape to within {int(worst):,} bytes of what PyTorch allocated on "
                   f"the {escape(', '.join(devices))} (the smallest of them holds {smallest / 2**30:.2f} GiB).",
                   "results/calculators/#memory-error-chart")


def _decode_group(dataset, batch=1):
    """The batch-`batch` decode rows of the first GPU model measured, with bf16's row."""
    for name, where in dataset.devices():
        if where != "GPU":
            continue
        rows = [row for row in device.speed_rows(dataset.rows_on(name)) if row.batch == batch and row.ok]
        reference = next((row for row in rows if device.is_reference(row)), None)
        if reference is not None:
            model = reference.model
            return name, [row for row in rows if row.model == model and row.prompt_tokens == reference.prompt_tokens], \
                reference
    return None, [], None


def _anchor(name, reference):
    return (f"results/{device_slug(name)}/#{device_slug(name)}-{reference.model}-decode-b{reference.batch}-"
            f"p{reference.prompt_tokens}-chart")


def _launch_bound_finding(dataset):
    name, rows, reference = _decode_group(dataset)
    if reference is None:
        return None
    eager = reference.metrics.get("decode_ms_per_token")
    graph = reference.metrics.get("decode_graph_ms_per_token")
    if eager is None or graph is None:
        return None
    text = (f"On the {escape(name)}, bf16 decodes the {escape(reference.model)} shape at batch 1 in {eager:.1f} ms "
            f"a token through Hugging Face <code>generate</code>, and in {graph:.2f} ms when each step is replayed "
            f"from a CUDA graph, {eager / graph:.1f}× faster: <code>generate</code> is bound by launching kernels, "
            "not by reading weights.")
    lighter = [row for row in rows if row is not reference and "decode_ms_per_token" in row.metrics
               and "decode_bytes_per_step" in row.metrics and "decode_bytes_per_step" in reference.metrics]
    if lighter:
        small = min(lighter, key=lambda row: row.metrics["decode_bytes_per_step"])
        share = small.metrics["decode_bytes_per_step"] / reference.metrics["decode_bytes_per_step"]
        text += (f" Through <code>generate</code>, {escape(small.method)}, which reads {share:.0%} of bf16's bytes "
                 f"a step, still takes {small.metrics['decode_ms_per_token']:.1f} ms.")
    return Finding(text, _anchor(name, reference))


def _graph_finding(dataset):
    name, rows, reference = _decode_group(dataset)
    if reference is None or "decode_graph_ms_per_token" not in reference.metrics:
        return None
    slower = []
    for row in rows:
        if row is reference or "decode_graph_ms_per_token" not in row.metrics:
            continue
        ratio = reference.metrics["decode_graph_ms_per_token"] / row.metrics["decode_graph_ms_per_token"]
        slower.append((ratio, row.method))
    if not slower:
        return None
    listed = ", ".join(f"{escape(method)} {ratio:.2f}×" for ratio, method in sorted(slower))
    if all(ratio < 1 for ratio, _ in slower):
        verdict = ("each is slower than bf16: the fewer bytes they read do not pay for the extra kernels they "
                   "run in every layer at this batch")
    elif all(ratio > 1 for ratio, _ in slower):
        verdict = "each is faster than bf16, as reading fewer bytes should make a memory-bound step"
    else:
        verdict = "fewer bytes to read is not enough on its own: the kernel decides"
    return Finding(f"With launch overhead removed (CUDA graphs) at batch 1 on the {escape(name)}, the "
                   f"{escape(reference.model)} shape decodes at {listed} the speed of bf16; {verdict}.",
                   _anchor(name, reference))


def _quality_finding(dataset):
    rows = device.quality_rows(dataset.rows)
    rows = [row for row in rows if row.run.record["schema"] >= 2]
    if not rows:
        return None
    largest = max(rows, key=lambda row: row.params).model
    chosen = {row.method: row for row in rows if row.model == largest and "top1_agreement" in row.metrics}
    picks = [label for label in ("int8-channel", "int4-tinygemm-g128", "gptq-int4-g128", "nf4") if label in chosen]
    if len(picks) < 2:
        return None
    parts = ", ".join(f"{escape(label)} {1 - chosen[label].metrics['top1_agreement']:.1%}" for label in picks)
    where = chosen[picks[0]].run
    return Finding(f"On our largest reference model ({chosen[picks[0]].params / 1e6:.1f} M parameters, trained by "
                   f"this project; measured on {where.where}), the share of tokens whose top prediction changes "
                   f"against bf16 is {parts}.",
                   f"results/{device_slug(where.device_name)}/#{device_slug(where.device_name)}-quality-top1-agreement")
