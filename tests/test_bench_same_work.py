"""The check that a faster way of decoding (a replayed CUDA graph, a compiled step) does eager decoding's work:
logits within rounding of eager's, greedy tokens eager's but at rounding ties. On tensors first, then on the
tiny llama's static-cache decoder on the CPU."""

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from generator.bench import measure  # noqa: E402
from generator.bench.measure import SAME_WORK_TOLERANCE, check_same_work, check_step_logits  # noqa: E402
from generator.bench.models import build_model, model_spec  # noqa: E402

CPU = torch.device("cpu")
TINY = model_spec("tiny-llama")
ULP_AT_4 = 0.03125  # bf16's step between 4 and 8, where the best logits of Llama-3.1-8B's random init lie


def _logits(batch=4, vocab=8192, seed=0):
    """bf16 logits like a random-init Llama's: RMS 1.28, the best ones between 4 and 8."""
    generator = torch.Generator().manual_seed(seed)
    return (1.28 * torch.randn(batch, vocab, generator=generator)).to(torch.bfloat16)


def _rounded_differently(eager, relative=0.06, seed=1):
    """eager's logits moved by Gaussian noise of `relative` times their RMS, as bf16 rounding in another order
    moves a deep random-init model's (measured: 0.05-0.08 at Llama-3.1-8B's depth), then rounded to bf16."""
    generator = torch.Generator().manual_seed(seed)
    size = eager.float().pow(2).mean(dim=-1, keepdim=True).sqrt()
    return (eager.float() + relative * size * torch.randn(eager.shape, generator=generator)).to(torch.bfloat16)


def _near_tie(eager, run, row=0, gap=ULP_AT_4):
    """Make eager's best two logits of `row` `gap` apart, and the run prefer the second by as much (7.5 is
    above every other logit of _logits' rows)."""
    eager, run = eager.clone(), run.clone()
    best, second = eager[row].float().topk(2).indices.tolist()
    eager[row, best], eager[row, second] = 7.5, 7.5 - gap
    run[row, best], run[row, second] = 7.5 - gap, 7.5
    return eager, run, second


def test_identical_logits_are_the_same_work():
    eager = _logits()
    assert check_step_logits(eager.clone(), eager) == measure.StepCheck(0, 0.0, None)


def test_rounding_noise_with_a_flipped_near_tie_is_the_same_work():
    """What the H200 showed: logits up to 0.4 apart over the vocabulary and the best two one bf16 step apart
    swapped. The check before this one refused it; this one counts it as one tie."""
    eager, run, second = _near_tie(_logits(batch=8, vocab=128256), _rounded_differently(_logits(batch=8, vocab=128256)))
    assert (run.float() - eager.float()).abs().max() > 0.3  # as large as the GPU's differences
    check = check_step_logits(run, eager, run.argmax(dim=-1))
    assert check.problem is None, check.problem
    assert check.ties == 1 and run.argmax(dim=-1)[0] == second
    assert 0.05 < check.relative_rms < 0.07


def test_equal_best_logits_may_go_either_way_even_without_other_differences():
    eager, run, second = _near_tie(_logits(), _logits(), gap=0.0)
    chosen = eager.argmax(dim=-1)
    chosen[0] = second if chosen[0] != second else eager[0].float().topk(2).indices[0]
    check = check_step_logits(run, eager, chosen)
    assert check.problem is None and check.ties == 1 and check.relative_rms == 0.0


@pytest.mark.parametrize("wrong", ["another sequence", "a permuted vocabulary", "unrelated logits"])
def test_logits_of_other_work_are_refused(wrong):
    eager = _logits()
    run = {"another sequence": eager.roll(1, dims=0),
           "a permuted vocabulary": eager[:, torch.randperm(eager.shape[1], generator=torch.Generator().manual_seed(5))],
           "unrelated logits": _logits(seed=7)}[wrong]
    check = check_step_logits(run, eager, what="the replayed CUDA graph", step=3)
    assert check.problem is not None
    assert check.problem.startswith("the replayed CUDA graph computed other logits than eager decoding at step 3")
    assert check.relative_rms == pytest.approx(math.sqrt(2), abs=0.1)  # unrelated logits of the same size
    assert f"where rounding stays under {SAME_WORK_TOLERANCE:g}" in check.problem and "\n" not in check.problem


def test_logits_just_beyond_the_tolerance_are_refused_and_just_within_accepted():
    eager = _logits()
    within = _rounded_differently(eager, relative=0.8 * SAME_WORK_TOLERANCE)
    beyond = _rounded_differently(eager, relative=1.2 * SAME_WORK_TOLERANCE)
    assert check_step_logits(within, eager, eager.argmax(dim=-1)).problem is None
    assert "computed other logits" in check_step_logits(beyond, eager, eager.argmax(dim=-1)).problem


def test_a_token_far_behind_is_refused_however_close_the_other_logits_are():
    """One logit wrong (a bug that touches one column) barely moves the RMS difference, but the token it
    makes the run pick is far behind eager's best: no rounding explains that."""
    eager = _logits()
    run = eager.clone()
    far_behind = eager[2].float().abs().argmin().item()  # a logit near 0, some 5 below the best
    run[2, far_behind] = eager[2].float().max() + 1
    check = check_step_logits(run, eager, what="the compiled decode step", step=5)
    assert check.relative_rms < 0.1
    assert check.problem.startswith(f"the compiled decode step picked token {far_behind} where eager decoding "
                                    f"picked {eager[2].float().argmax().item()} at step 5, sequence 2: eager logits ")
    assert "that rounding explains" in check.problem and "\n" not in check.problem


def test_the_token_the_run_wrote_is_what_is_checked():
    """The chosen tokens are the run's own (what it wrote into the decoder's buffer), not its logits' argmax:
    a run whose logits agree but which feeds on another token is refused."""
    eager = _logits()
    chosen = eager.float().argmin(dim=-1)
    assert "picked token" in check_step_logits(eager.clone(), eager, chosen).problem


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_logits_are_refused(bad):
    eager = _logits()
    run = eager.clone()
    run[1, 10] = bad
    check = check_step_logits(run, eager, what="the replayed CUDA graph", step=0)
    assert check.problem.startswith("the replayed CUDA graph computed NaN or infinite logits at step 0 (1 of ")


def test_mismatched_shapes_are_a_programming_error():
    with pytest.raises(ValueError, match=r"\(batch, vocab\)"):
        check_step_logits(_logits()[:, None], _logits()[:, None])


# -- teacher-forced decoding on the tiny llama ----------------------------------------------------------

class NotTheSame(Exception):
    pass


def _decoder(batch=2, prompt=16, new_tokens=6):
    model = build_model(TINY, CPU)
    input_ids = measure.prompt_ids(TINY.vocab_size, batch, prompt, CPU)
    return measure.StaticDecoder(model, batch, prompt + new_tokens + 2, CPU), input_ids


def test_eager_steps_checked_against_themselves_are_the_same_work():
    decoder, input_ids = _decoder()
    same_work = check_same_work(decoder, input_ids, 6, lambda: decoder.step()[:, -1], "eager", NotTheSame)
    assert same_work == measure.SameWork(rounding_ties=0, logits_relative_rms=0.0)


def test_each_step_is_fed_eager_decodings_token():
    """Teacher forcing: whatever the run picked at a step, the next step starts from eager's token."""
    decoder, input_ids = _decoder()
    eager_tokens, _ = measure.eager_step_logits(decoder, input_ids, 6)
    fed = []

    def step():
        fed.append(decoder.next_ids.clone())
        return decoder.step()[:, -1]

    check_same_work(decoder, input_ids, 6, step, "eager", NotTheSame)
    assert torch.equal(torch.cat(fed, dim=1), eager_tokens)


def test_a_step_fed_another_token_is_refused_with_the_given_failure():
    decoder, input_ids = _decoder()

    def step_on_the_wrong_token():
        with torch.inference_mode():
            decoder.next_ids.add_(1).remainder_(TINY.vocab_size)
        return decoder.step()[:, -1]

    with pytest.raises(NotTheSame, match="^the shifted run computed other logits than eager decoding at step 0, "
                                         "sequence [01]: a relative RMS difference of"):
        check_same_work(decoder, input_ids, 6, step_on_the_wrong_token, "the shifted run", NotTheSame)


def test_a_float32_run_of_the_same_model_is_rounding():
    """The same computation at another precision stays well inside the tolerance (the tiny model is shallow)."""
    decoder, input_ids = _decoder()
    exact = build_model(TINY, CPU).float()
    exact_decoder = measure.StaticDecoder(exact, 2, 16 + 8, CPU)
    exact_decoder.prefill(input_ids)

    def exact_step():
        with torch.inference_mode():
            exact_decoder.next_ids.copy_(decoder.next_ids)
            logits = exact_decoder.step()[:, -1]
            decoder.next_ids.copy_(exact_decoder.next_ids)
        return logits

    same_work = check_same_work(decoder, input_ids, 6, exact_step, "float32", NotTheSame)
    assert 0 < same_work.logits_relative_rms < SAME_WORK_TOLERANCE / 5
