"""Speculative decoding: expected tokens per target step and the speedup, against the draft length."""

from .. import cli_args
from ..chart_parts import figure, marker
from ..display import counted, rows_table
from ..page import Command, Field, Page
from ..records import as_dict
from ..speculative import MAX_DRAFT_TOKENS, speculative_decoding


def compute(inputs):
    alpha = inputs.number("acceptance", 0.0, 1.0, "acceptance rate")
    gamma = inputs.whole("draft_tokens", 0, MAX_DRAFT_TOKENS, "draft length")
    cost = inputs.number("draft_cost", 0.0, 1.0, "draft cost")
    if inputs.errors:
        return None
    result = speculative_decoding(alpha, gamma, cost)
    lengths = list(range(0, 17))
    curve = [speculative_decoding(alpha, g, cost) for g in lengths]
    best = max(curve, key=lambda r: r.speedup)
    return {"acceptance": alpha, "draft_tokens": gamma, "draft_cost": cost,
            "expected_tokens": result.expected_tokens_per_step, "speedup": result.speedup,
            "best_draft_tokens": best.draft_tokens, "best_speedup": best.speedup,
            "curve": {"draft_tokens": lengths, "speedup": [r.speedup for r in curve],
                      "expected_tokens": [r.expected_tokens_per_step for r in curve]}}


def render(r) -> str:
    rows = [("Expected tokens per target step", f"{r['expected_tokens']:.3f}"),
            ("Expected speedup", f"<strong>{r['speedup']:.3f}×</strong>"),
            ("Best draft length (0–16)", f"{counted(r['best_draft_tokens'], 'token')}"
             + (" (no speculation)" if r["best_draft_tokens"] == 0 else "") + f", {r['best_speedup']:.3f}×")]
    slower = "<p>With these settings speculation slows decoding down.</p>" if r["speedup"] < 1 else ""
    # Below 1 the speedup is a slowdown: "0.37× faster" would say the opposite of what it means.
    drafts = f"{counted(r['draft_tokens'], 'draft token')} at acceptance {r['acceptance']:g}"
    headline = (f"<strong>{r['speedup']:.2f}× faster</strong> decoding with {drafts}." if r["speedup"] >= 1 else
                f"With {drafts}, decoding runs at <strong>{r['speedup']:.2f}× the speed</strong> of the target "
                "model alone.")
    return f"<p class=\"calc-headline\">{headline}</p>{rows_table(rows)}{slower}"


def charts(r) -> list:
    curve = r["curve"]
    return [figure("speculative-draft-length", "Speedup against draft length",
                   [{"type": "scatter", "mode": "lines+markers", "name": "speedup", "x": curve["draft_tokens"],
                     "y": curve["speedup"]},
                    marker(f"{r['draft_tokens']} draft tokens", r["draft_tokens"], r["speedup"])],
                   {"title": "draft tokens per step"}, {"title": "speedup (×)"})]


def run(args):
    result = speculative_decoding(args.acceptance, args.draft_tokens, args.draft_cost)
    text = (f"expected tokens per target step: {result.expected_tokens_per_step:.3f}; "
            f"speedup: {result.speedup:.3f}x")
    return as_dict(result), text


def arguments(sub):
    sub.add_argument("--acceptance", type=cli_args.number, required=True, help="per-token acceptance rate in [0, 1]")
    sub.add_argument("--draft-tokens", type=cli_args.whole, required=True, help="tokens the draft proposes per step")
    sub.add_argument("--draft-cost", type=cli_args.number, required=True, help="draft step time / target step time")


PAGE = Page(
    name="speculative", path="calculators/speculative-decoding", title="Speculative decoding", order=50,
    fields=(Field("acceptance", "Acceptance rate (0 to 1)", "text", "0.8"),
            Field("draft_tokens", "Draft length (tokens)", "number", "4"),
            Field("draft_cost", "Draft cost (draft step ÷ target step)", "text", "0.05")),
    compute=compute, render=render, charts=charts,
    command=Command("speculative decoding: expected tokens and speedup", arguments, run))
