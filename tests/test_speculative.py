import pytest

from calculators import CalculatorError, best_draft_length, speculative_decoding
from calculators.speculative import expected_tokens_per_step


@pytest.mark.parametrize("alpha, gamma, expected", [
    (0.0, 4, 1.0),  # nothing accepted: the target's own token only
    (1.0, 4, 5.0),  # everything accepted: gamma drafts plus the bonus token
    (0.8, 4, (1 - 0.8 ** 5) / 0.2),  # 3.3616
    (0.5, 1, 1.5),
    (0.9, 0, 1.0),
])
def test_expected_tokens(alpha, gamma, expected):
    assert expected_tokens_per_step(alpha, gamma) == pytest.approx(expected)


def test_speedup_divides_by_the_draft_cost():
    result = speculative_decoding(0.8, 4, 0.1)
    assert result.speedup == pytest.approx(3.3616 / 1.4)
    assert speculative_decoding(0.8, 4, 0.0).speedup == pytest.approx(3.3616)


def test_a_useless_draft_slows_decoding_down():
    assert speculative_decoding(0.0, 4, 0.2).speedup < 1


def test_best_draft_length_is_the_argmax():
    best = best_draft_length(0.8, 0.05, limit=16)
    assert all(speculative_decoding(0.8, g, 0.05).speedup <= best.speedup for g in range(1, 17))


@pytest.mark.parametrize("args, field", [((1.5, 4, 0.1), "acceptance_rate"), ((-0.1, 4, 0.1), "acceptance_rate"),
                                         ((float("nan"), 4, 0.1), "acceptance_rate"), ((0.5, -1, 0.1), "draft_tokens"),
                                         ((0.5, 2.5, 0.1), "draft_tokens"), ((0.5, 4, float("inf")), "draft_cost"),
                                         ((0.5, 4, "0.1"), "draft_cost"), ((0.5, 10 ** 6, 0.1), "draft_tokens")])
def test_bad_input(args, field):
    with pytest.raises(CalculatorError) as error:
        speculative_decoding(*args)
    assert error.value.field == field
