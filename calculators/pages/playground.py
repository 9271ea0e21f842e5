"""The quantization playground (on learn/outliers.md): one layer of the reference model quantized per tensor, per
channel, per group, with outliers kept in 16-bit or smoothed, and the errors of each."""

from ..markup import escape

from ..chart_parts import figure
from ..page import Field, Page
from ..playground import GRANULARITIES, MAX_BITS, MIN_BITS, MIN_GROUP, compare, layers, source as playground_source


def compute(inputs):
    layer = inputs.choice("layer", layers(), "layer")
    bits = inputs.whole("bits", MIN_BITS, MAX_BITS, "bit width")
    scheme = inputs.choice("scheme", ("symmetric", "asymmetric"), "scheme")
    granularity = inputs.choice("granularity", GRANULARITIES, "granularity")
    group = inputs.whole("group_size", MIN_GROUP, 1 << 20, "group size")
    threshold = inputs.number("threshold", 0.01, 1e6, "outlier threshold")
    alpha = inputs.number("alpha", 0.0, 1.0, "migration strength")
    if layer is None or group is None:
        return None
    width = len(layers()[layer]["activation"])
    if width % group:
        fits = ", ".join(str(g) for g in range(MIN_GROUP, width + 1) if width % g == 0 and g >= 16)
        inputs.fail("group_size", f"the group size must divide the row length, {width:,}: try {fits}")
    if inputs.errors:
        return None
    sample = layers()[layer]
    runs = compare(layer, bits, scheme == "symmetric", group, threshold, alpha)
    chosen = runs[granularity]
    shown = 96  # weights of the first row drawn in the chart
    source = playground_source()
    return {"model": source["model"], "params": source["params"], "steps": source["steps"],
            "tokens_run": source["tokens_run"],
            "layer": layer, "layer_label": sample["label"], "module": sample["name"], "shape": sample["shape"],
            "rows": len(sample["rows"]), "width": width, "token_position": sample["token_position"],
            "largest": max(abs(x) for x in sample["activation"]),
            "median": sorted(abs(x) for x in sample["activation"])[width // 2],
            "bits": bits, "scheme": scheme, "granularity": granularity, "group_size": group,
            "threshold": threshold, "alpha": alpha,
            "runs": {g: {k: v for k, v in run.items() if k not in ("row0", "activation_values")}
                     for g, run in runs.items()},
            "row0": sample["rows"][0][:shown], "row0_quantized": [round(v, 8) for v in chosen["row0"][:shown]],
            "activation": sample["activation"],
            "activation_quantized": [round(v, 6) for v in chosen["activation_values"]]}


def render(r) -> str:
    runs, bits = r["runs"], r["bits"]
    names = {"tensor": "Per-tensor", "channel": "Per-channel", "group": f"Per-group ({r['group_size']})",
             "decomposition": f"Decomposition (|x| ≥ {r['threshold']:g})",
             "smoothquant": f"SmoothQuant (α = {r['alpha']:g})"}
    mark = {g: " class=\"calc-chosen\"" if g == r["granularity"] else "" for g in GRANULARITIES}
    head = "".join(f"<th scope=\"col\"{mark[g]}>{escape(names[g])}</th>" for g in GRANULARITIES)
    levels = 2 ** bits - (1 if r["scheme"] == "symmetric" else 0)
    lines = (("Scales stored", lambda run: f"{run['weight_scales']:,}"),
             ("Weights: mean squared error", lambda run: f"{run['weights']['mse']:.3g}"),
             ("Weights: largest error", lambda run: f"{run['weights']['max_abs']:.3g}"),
             (f"Weights: levels used (of {levels})", lambda run: f"{run['weight_levels']:,}"),
             ("Activation: mean squared error", lambda run: f"{run['activation']['mse']:.3g}"),
             ("Activation: largest error", lambda run: f"{run['activation']['max_abs']:.3g}"),
             (f"Activation: levels used (of {levels})", lambda run: f"{run['activation_levels']:,}"),
             (f"Activation: non-zero inputs read back as 0 (of {r['width']:,})",
              lambda run: f"{run['activation_zeroed']:,}"),
             ("Inputs kept in 16-bit", lambda run: f"{len(run['kept_columns']):,}"),
             ("Output W·x: relative error", lambda run: f"{run['output_relative']:.3%}"),
             ("Output W·x: largest error", lambda run: f"{run['output']['max_abs']:.3g}"))
    body = "".join(f"<tr><th scope=\"row\">{escape(label)}</th>"
                   + "".join(f"<td{mark[g]}>{cell(runs[g])}</td>"
                             for g in GRANULARITIES) + "</tr>" for label, cell in lines)
    chosen = runs[r["granularity"]]
    source = playground_source()
    return (f"<p class=\"calc-headline\"><strong>{chosen['output_relative']:.2%}</strong> error in the layer's "
            f"output with {escape(names[r['granularity']].lower())} {bits}-bit {escape(r['scheme'])} quantization "
            f"of weights and activation.</p>"
            # wider than a phone: a region that scrolls sideways and takes the keyboard focus to do so
            "<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"Errors by granularity\">"
            f"<table class=\"calc-table\"><thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            f"<p class=\"calc-note\">Weights: the first {r['rows']} rows (output channels) of "
            f"<code>{escape(r['module'])}</code>, a {r['shape'][0]:,} × {r['shape'][1]:,} matrix of our small "
            f"reference llama ({source['params']:,} parameters, {source['steps']} steps on CPU; "
            f"<code>{escape(source['model'])}</code>), not of a production LLM. Activation: the input that layer "
            f"received at token {r['token_position']} of the first {source['tokens_run']} validation tokens; its "
            f"largest magnitude is {r['largest']:.3g} and its median magnitude {r['median']:.3g}. "
            "The output error compares the quantized W·x with the unquantized product of the same rows. SmoothQuant's "
            f"factors use each input's largest magnitude over those {source['tokens_run']} tokens and each weight "
            "column's over these rows.</p>")


def charts(r) -> list:
    def points(name, values, symbol):
        return {"type": "scatter", "mode": "markers", "name": name, "x": list(range(len(values))), "y": values,
                "marker": {"size": 6, "symbol": symbol}}

    way = {"tensor": "per-tensor", "channel": "per-channel", "group": f"groups of {r['group_size']}",
           "decomposition": f"16-bit where |x| ≥ {r['threshold']:g}",
           "smoothquant": f"smoothed at α = {r['alpha']:g}"}[r["granularity"]]
    how = f"{r['bits']}-bit {r['scheme']}, {way}"
    return [figure("playground-weights", f"The first {len(r['row0'])} weights of row 0, before and after ({how})",
                   [points("original", r["row0"], "circle"), points("quantized", r["row0_quantized"], "x")],
                   {"title": "input feature (column)"}, {"title": "weight"}),
            figure("playground-activation", f"The activation, before and after ({how})",
                   [points("original", r["activation"], "circle"),
                    points("quantized", r["activation_quantized"], "x")],
                   {"title": "input feature"}, {"title": "activation"})]


PAGE = Page(
    name="playground", path="learn/outliers", title="The outlier problem", order=70,
    fields=(Field("layer", "Layer of the reference model", "layer", "down_proj"),
            Field("bits", "Bits (2 to 8)", "number", "8"), Field("scheme", "Scheme", "scheme", "symmetric"),
            Field("granularity", "Drawn in the charts", "granularity", "tensor"),
            Field("group_size", "Group size (per-group)", "number", "64"),
            Field("threshold", "Outlier threshold |x| (decomposition)", "text", "10"),
            Field("alpha", "Migration strength α, 0 to 1 (SmoothQuant)", "text", "0.5")),
    compute=compute, render=render, charts=charts,
    choices=lambda: {"layer": [(key, f"{layer['label']} ({len(layer['activation']):,} inputs)")
                               for key, layer in layers().items()],
                     "scheme": [("symmetric", "Symmetric (zero point 0)"),
                                ("asymmetric", "Asymmetric (with a zero point)")],
                     "granularity": list(GRANULARITIES.items())})
