"""The Results section, generated at build time from the records: Markdown pages rendered with Jinja2 from
generator/site/templates/results/, plus the data downloads (every record, one CSV of all results and the
wizard's evidence summary). Nothing here is written into docs/ or git."""

import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.records import METRICS

from . import calibration, device, published
from .dataset import DATA_DIR, RECORDS_URL, Dataset, device_slug, results_csv
from .evidence import summary
from .findings import findings
from .tables import html_table

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True)
class Page:
    src_uri: str  # e.g. "results/nvidia-h200.md"
    title: str
    markdown: str


def _environment() -> jinja2.Environment:
    # Markdown out, not HTML: values from records are escaped explicitly with |e where they land in HTML.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


def device_pages(dataset: Dataset) -> list:
    """(title, src_uri) of each device's page, GPUs first: the navigation lists them."""
    return [(f"{name} ({where})", f"results/{device_slug(name)}.md") for name, where in dataset.devices()]


def pages(dataset: Dataset, found: list | None = None) -> list:
    """Every page of the section; `found` is the findings (computed here unless the caller has them)."""
    env = _environment()
    context = {"dataset": dataset, "device_pages": device_pages(dataset), "data_dir": DATA_DIR,
               "findings": findings(dataset) if found is None else found, "runs_table": runs_table(dataset)}
    out = [Page("results/index.md", "Results", env.get_template("results/index.md.j2").render(**context)),
           Page("results/methodology.md", "Methodology", env.get_template("results/methodology.md.j2").render(
               **context, workloads=workloads_table(dataset), metrics=metrics_table(dataset)))]
    for name, where in dataset.devices():
        slug = device_slug(name)
        rows = dataset.rows_on(name)
        runs = dataset.runs_on(name)
        sections = device.speed_sections(rows, slug)
        if any(row.model_kind == "random-init" for row in device.speed_rows(rows)) or where == "GPU":
            sections.append(device.kernel_section(runs, slug))
        quality = device.quality_sections(rows, slug)
        if quality:
            sections.insert(0, device.reference_models_section(rows, slug))
            sections.extend(quality)
        sections.append(device.missing_section(rows, slug))
        out.append(Page(f"results/{slug}.md", name, env.get_template("results/device.md.j2").render(
            **context, name=name, where=where, runs=runs_table(dataset, name), sections=sections)))
    out.append(Page("results/calculators.md", "Calculators against measurements",
                    env.get_template("results/calculators.md.j2").render(
                        **context, memory=calibration.memory_html(dataset.rows),
                        workspace=calibration.workspace_html(dataset.rows),
                        speed=calibration.speed_html(dataset.rows))))
    out.append(Page("results/published.md", "Published results", env.get_template("results/published.md.j2").render(
        **context, published=published_sections(dataset))))
    out.append(Page("results/data.md", "Raw data", env.get_template("results/data.md.j2").render(**context)))
    return out


def data_files(dataset: Dataset) -> dict:
    """{path inside the site: text} for the downloads: every record as committed, the CSV, the evidence."""
    files = {f"{RECORDS_URL}{run.file}": json.dumps(run.record, indent=1) for run in dataset.runs}
    files[f"{DATA_DIR}/results.csv"] = results_csv(dataset)
    files[f"{DATA_DIR}/evidence.json"] = json.dumps(summary(dataset), indent=1)
    return files


def runs_table(dataset: Dataset, device_name: str | None = None) -> str:
    rows = []
    for run in dataset.runs:
        if device_name is not None and run.device_name != device_name:
            continue
        header = run.header
        versions = header["versions"]
        bandwidth = header["device"].get("measured_bandwidth_bytes_s")
        results = run.record["results"]
        ok = sum(result["status"] == "ok" for result in results)
        rows.append([run.file, header["suite"], f"{run.device_name} ({run.where})", run.date,
                     header["git_commit"][:10], versions.get("torch") or "-", versions.get("cuda") or "-",
                     versions.get("transformers") or "-", versions.get("bitsandbytes") or "-",
                     versions.get("driver") or "-",
                     "-" if not bandwidth else f"{bandwidth / 1e9:,.0f} GB/s",
                     f"{ok} ok of {len(results)}" + ("" if header.get("finished") else ", stopped before the end")])
    return html_table(["record", "suite", "device", "date", "commit", "torch", "CUDA", "transformers",
                       "bitsandbytes", "driver", "measured copy bandwidth", "results"], rows)


def workloads_table(dataset: Dataset) -> str:
    seen = {}
    for row in dataset.rows:
        key = (row.run.header["suite"], row.model, row.model_kind)
        entry = seen.setdefault(key, {"batches": set(), "prompts": set(), "new": set(), "where": row.run.where})
        entry["batches"].add(row.batch)
        entry["prompts"].add(row.prompt_tokens)
        entry["new"].add(row.result["workload"]["new_tokens"])
    rows = [[suite, model, kind, entry["where"], ", ".join(map(str, sorted(entry["batches"]))),
             ", ".join(map(str, sorted(entry["prompts"]))), ", ".join(map(str, sorted(entry["new"])))]
            for (suite, model, kind), entry in seen.items()]
    return html_table(["suite", "model", "weights", "measured on", "batch", "prompt tokens", "new tokens"], rows)


def metrics_table(dataset: Dataset) -> str:
    used = {name for row in dataset.rows for name in row.metrics}
    rows = [[name, description] for name, description in METRICS.items() if name in used]
    return html_table(["metric", "what it is"], rows)


def published_sections(dataset: Dataset) -> list:
    from ..charts import Chart, chart_html, figure

    sections = []
    label, url = published.LLAMA_CPP_SOURCE
    rows = published.LLAMA_CPP_LLAMA3_8B
    chart = Chart("published-llama-cpp-kld", "llama.cpp quantizations of Llama-3-8B: KL divergence from FP16 "
                  "against file size", figure(
                      [{"type": "scatter", "mode": "markers", "name": quant, "x": [gib], "y": [kld],
                        "marker": {"size": 10, "symbol": index // 10}}
                       for index, (quant, gib, _, kld) in enumerate(rows)],
                      "file size (GiB)", "mean KL divergence from FP16 (log scale)", yaxis={"type": "log"},
                      height=520),
                  f"Published: {label}. Not measured by this project.", "GiB", "mean KL", "{:.6f}")
    sections.append(("llama.cpp: size against quality", url, label, chart_html(chart)))

    label, url = published.GPTQ_SOURCE
    chart = Chart("published-gptq", "GPTQ against round-to-nearest, LLaMA perplexity (published)",
                  figure(_grouped_bars(published.GPTQ_LLAMA), "model", "WikiText-2 perplexity (log scale)",
                         barmode="group", yaxis={"type": "log"}),
                  f"Published: {label}. Not measured by this project.", "model", "perplexity", "{:.2f}")
    sections.append(("GPTQ against round-to-nearest", url, label, chart_html(chart)))

    label, url = published.AWQ_SOURCE
    chart = Chart("published-awq", "AWQ, GPTQ and round-to-nearest on Llama-2 (published)",
                  figure(_grouped_bars(published.AWQ_LLAMA2), "model", "WikiText-2 perplexity", barmode="group"),
                  f"Published: {label}. Not measured by this project.", "model", "perplexity", "{:.2f}")
    sections.append(("AWQ against GPTQ and round-to-nearest", url, label, chart_html(chart)))

    label, url = published.GPT_FAST_SOURCE
    methods = ["bf16", "int8 weight-only", "int4 g32"]
    traces = [{"type": "bar", "name": method, "x": list(published.GPT_FAST),
               "y": [published.GPT_FAST[model].get(method, (None,))[0] for model in published.GPT_FAST]}
              for method in methods]
    chart = Chart("published-gpt-fast", "gpt-fast decode speed at batch 1 on an A100 (published)",
                  figure(traces, "model", "tokens per second", barmode="group"),
                  f"Published: {label}. A missing bar is a configuration the README lists as out of memory or "
                  "does not list. Not measured by this project.", "model", "tokens per second", "{:.2f}")
    sections.append(("gpt-fast: decode speed at batch 1", url, label, chart_html(chart) + _beside_gpt_fast(dataset)))

    label, url = published.TINYCHAT_SOURCE
    rows = [[model, f"{fp16:.2f} ms", f"{int4:.2f} ms", f"{fp16 / int4:.2f}×"]
            for model, (fp16, int4) in published.TINYCHAT_MS.items()]
    sections.append(("AWQ TinyChat: decode latency", url, label,
                     html_table(["model", "FP16 per token", "AWQ INT4 per token", "speedup"], rows)))
    label, url = published.TORCHAO_SOURCE
    rows = [[name, f"{ppl:.3f}", f"{speed:.2f}"] for name, ppl, speed in published.TORCHAO_LLAMA3_8B]
    sections.append(("torchao: quality and speed of weight-only quantization", url, label,
                     html_table(["configuration", "perplexity", "tokens per second"], rows)))
    return sections


def _grouped_bars(table: dict) -> list:
    """{group: {series: value}} as one bar trace per series, the groups along x."""
    series = list(next(iter(table.values())))
    return [{"type": "bar", "name": name, "x": list(table), "y": [table[group][name] for group in table]}
            for name in series]


def _beside_gpt_fast(dataset: Dataset) -> str:
    """Ours beside gpt-fast where the two overlap: bf16 decode of the Llama-3.1-8B shape at batch 1, as a share
    of each card's memory bandwidth (the cards differ, so only the share compares)."""
    from . import tables

    ours = []
    for row in dataset.rows:
        if (row.ok and row.run.on_gpu and row.model == "llama-3.1-8b" and row.batch == 1
                and device.is_reference(row)):
            copy = row.run.header["device"].get("measured_bandwidth_bytes_s")
            for name, metric, bandwidth in (("CUDA graph", "tokens_per_s_graph", "bandwidth_graph_bytes_s"),
                                            ("torch.compile", "tokens_per_s_compiled", "bandwidth_compiled_bytes_s")):
                if metric in row.metrics and copy:
                    ours.append([f"this project, {row.run.device_name} (GPU), bf16, {name}",
                                 tables.measured(row, metric, tables.per_s),
                                 tables.Cell(tables.share(row.metrics[bandwidth] / copy) + " of the measured copy "
                                             "bandwidth"), row.run.file])
    if not ours:
        return "<p class=\"missing\">No bf16 decode of the Llama-3.1-8B shape with launch overhead removed has " \
               "been measured by this project yet, so nothing of ours stands beside these.</p>"
    tokens, bandwidth = published.GPT_FAST["Llama-3.1-8B"]["bf16"]
    rows = ours + [["gpt-fast (published), A100-80GB at 330 W, Llama-3.1-8B bf16", f"{tokens:.2f}",
                    f"{bandwidth / published.GPT_FAST_PEAK_GB_S:.0%} of about {published.GPT_FAST_PEAK_GB_S} GB/s",
                    "gpt-fast README"]]
    return ("<p>Where ours overlaps: bf16 decoding of the Llama-3.1-8B shape at batch 1. The cards differ, so "
            "compare the share of memory bandwidth each run reached, not tokens per second.</p>" +
            html_table(["run", "tokens per second", "bandwidth reached", "source"], rows))
