"""The wizard's answer as plain text for a terminal (the raw answer is `wizard.recommend`'s dict)."""

from .hardware import GIB

_LABELS = {"latency": "latency", "throughput": "throughput", "quality": "quality", "memory": "memory"}


def _gib(n: float) -> str:
    return f"{n / GIB:,.1f} GiB"


def text(data: dict) -> str:
    i = data["inputs"]
    where = f"{i['gpus']} x {i['gpu']}" if i["gpus"] > 1 else i["gpu"]
    lines = [f"{i['goal']} {i['model']} on {where}, {i['context']:,} tokens x {i['concurrency']}, "
             f"priority {_LABELS[i['priority']]}"]
    recs = data["recommendations"]
    if not recs:
        lines.append("NOTHING FITS. What would:")
        lines += [f"  - {alt['change']}: {alt['detail']}" for alt in data["alternatives"]]
    for n, rec in enumerate(recs, 1):
        kv = f", KV cache {rec['kv_format']}" if rec["kv_format"] else ""
        flags = ", CPU OFFLOAD" if rec["offload"] else ""
        lines.append("")
        lines.append(f"{n}. {rec['label']}: {rec['scheme']} ({rec['format']}{kv}) with {rec['runtime']}{flags}")
        lines += [f"   - {reason}" for reason in rec["reasons"]]
        lines += [f"   ! {caveat}" for caveat in rec["caveats"]]
        for q in rec["questions"]:
            lines.append(f"   ? {q['question']} {q['answer']}")
        lines.append(f"   $ {rec['command']}")
        if rec["howto"]:
            lines.append(f"   how: {rec['howto']}")
        sources = sorted({e.get("source", "").split(": ")[0] for e in rec["evidence"] if e.get("source")})
        lines.append("   sources: " + "; ".join(sources))
    if data["rules"]:
        lines.append("")
        lines.append("rules applied:")
        lines += [f"  - {rule['statement']} ({rule['source'].split(': ')[0]})" for rule in data["rules"]]
    if data["ruled_out"]:
        lines.append("")
        lines.append("ruled out:")
        lines += [f"  - {item['method']}: {item['reason']}" for item in data["ruled_out"]]
    lines.append("")
    lines.append(f"evidence summary: {data['evidence_summary']}")
    return "\n".join(lines)
