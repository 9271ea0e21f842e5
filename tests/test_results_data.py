"""The Results section's data, without a browser: the evidence summary and its command, the calculators
against the committed measurements, the kernel-workspace fit, the findings."""

import json

import calculators
import calculators.fitting
from generator.__main__ import main
from generator.records import load_record
from generator.site.results import calibration, dataset, evidence, findings
from generator.site.results.device import pareto_front


def _committed():
    return dataset.load_dataset()


def test_the_evidence_command_prints_the_summary(capsys):
    assert main(["evidence", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == evidence.summary(_committed())
    assert main(["evidence"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].startswith("method")
    for label in data["methods"]:
        assert label[:36] in table


def test_the_evidence_command_names_a_bad_record(tmp_path, capsys):
    (tmp_path / "broken.json").write_text('{"schema": 2, "run": {}, "results": []}')
    assert main(["evidence", "--records", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error:") and "broken.json" in error and "Traceback" not in error


def test_every_speed_entry_of_the_evidence_points_at_its_measurement():
    data = _committed()
    summary = evidence.summary(data)
    records = {run.file: run.record for run in data.runs}
    speeds = 0
    for method in summary["methods"].values():
        for device in method["devices"].values():
            for item in device["speed"]:
                source = item["source"]
                result = records[source["record"]]["results"][source["result"]]
                assert result["metrics"][source["metric"]] == item["ms_per_token"]
                if "speedup_vs_bf16" in item:
                    reference = item["reference"]
                    bf16 = records[reference["record"]]["results"][reference["result"]]
                    assert item["speedup_vs_bf16"] == bf16["metrics"][reference["metric"]] / item["ms_per_token"]
                    low, high = item["speedup_range"]
                    assert low <= item["speedup_vs_bf16"] <= high
                speeds += 1
            assert device["measured_on"] in ("GPU", "CPU")
    if any(run.on_gpu for run in data.runs):
        assert speeds > 0


def test_the_workspace_constants_are_the_fit_of_the_committed_records():
    points = calibration.workspace_points(_committed().rows)
    if not points:  # no GPU peak of such a format committed: nothing to check against
        return
    assert calibration.fitted_workspace(points) == {kind: value for kind, value in
                                                    calibration.calculator_constants().items()
                                                    if kind in {p.kind for p in points}}


def test_every_measured_memory_is_predicted_within_two_percent():
    checks = calibration.memory_checks(_committed().rows)
    for check in checks:
        assert abs(check.error) <= calibration.TOLERANCE, (check.row.method, check.row.batch, check.quantity,
                                                           check.error)


def test_the_workspace_shows_in_the_fit_calculator():
    arch = calculators.preset_architecture("llama-3.1-8b")
    kv = calculators.kv_format("bf16")
    plain = calculators.memory_stack(arch, calculators.weight_format("int4-tinygemm-g128"), kv, 544, 1)
    four_bit = calculators.memory_stack(arch, calculators.weight_format("nf4"), kv, 544, 1)
    assert plain.activations == calculators.activation_bytes(arch, 544, 1, 8192).peak_bytes
    assert four_bit.activations == int(calculators.fitting.BNB_4BIT_DEQUANT_COPIES * 2 * 4096 * 14336)
    assert calculators.fitting.kernel_workspace_bytes(arch, calculators.weight_format("nf4"), 1) == 0


def test_pareto_front():
    points = [(4.0, 0.3, "a"), (4.0, 0.2, "b"), (8.0, 0.1, "c"), (8.0, 0.15, "d"), (16.0, 0.1, "e"),
              (3.0, 0.5, "f")]
    assert [p[2] for p in pareto_front(points)] == ["f", "b", "c"]


def test_findings_cite_numbers_of_the_records():
    data = _committed()
    for finding in findings.findings(data):
        assert finding.link.startswith("results/") and "#" in finding.link
    if any(run.on_gpu for run in data.runs):
        text = " ".join(f.html for f in findings.findings(data))
        bf16 = [row for row in data.rows if row.run.on_gpu and row.batch == 1 and row.method == "bf16"
                and "decode_graph_ms_per_token" in row.metrics][-1]  # the newest measurement is the one cited
        assert f"{bf16.metrics['decode_graph_ms_per_token']:.2f} ms" in text


def test_the_csv_has_a_row_per_result():
    data = _committed()
    lines = dataset.results_csv(data).splitlines()
    assert len(lines) == 1 + len(data.rows)
    assert lines[0].split(",")[:3] == ["record", "run_id", "suite"]
    first = load_record(dataset.DEFAULT_RECORDS / data.runs[0].file)
    assert lines[1].startswith(data.runs[0].file + "," + first["run"]["id"])
