"""Speculative decoding: expected tokens per target step and the speedup.

Leviathan, Kalman and Matias, "Fast Inference from Transformers via
Speculative Decoding" (ICML 2023, arXiv 2211.17192), section 3: with a draft
that proposes `draft_tokens` (gamma) tokens, each accepted independently with
probability alpha, one target step yields on average

    E[tokens] = (1 - alpha ** (gamma + 1)) / (1 - alpha)          (gamma + 1 when alpha = 1)

and, when a draft step costs c target steps, the expected wall-time speedup is

    speedup = E[tokens] / (gamma * c + 1).
"""

from .records import record
from .validate import fraction, whole_number

MAX_DRAFT_TOKENS = 64


@record
class SpeculativeResult:
    acceptance_rate: float
    draft_tokens: int
    draft_cost: float
    expected_tokens_per_step: float
    speedup: float


def expected_tokens_per_step(acceptance_rate: float, draft_tokens: int) -> float:
    alpha = fraction("acceptance_rate", acceptance_rate, 0.0, 1.0)
    gamma = whole_number("draft_tokens", draft_tokens, 0, MAX_DRAFT_TOKENS)
    if alpha == 1.0:
        return float(gamma + 1)
    return (1.0 - alpha ** (gamma + 1)) / (1.0 - alpha)


def speculative_decoding(acceptance_rate: float, draft_tokens: int, draft_cost: float) -> SpeculativeResult:
    """draft_cost: time of one draft step / time of one target step, in [0, 1]."""
    cost = fraction("draft_cost", draft_cost, 0.0, 1.0)
    tokens = expected_tokens_per_step(acceptance_rate, draft_tokens)
    return SpeculativeResult(acceptance_rate=float(acceptance_rate), draft_tokens=int(draft_tokens),
                             draft_cost=cost, expected_tokens_per_step=tokens,
                             speedup=tokens / (int(draft_tokens) * cost + 1.0))


def best_draft_length(acceptance_rate: float, draft_cost: float, limit: int = 16) -> SpeculativeResult:
    """The draft length in [1, limit] with the highest speedup (the first, on ties)."""
    limit = whole_number("limit", limit, 1, MAX_DRAFT_TOKENS)
    results = [speculative_decoding(acceptance_rate, gamma, draft_cost) for gamma in range(1, limit + 1)]
    return max(results, key=lambda result: result.speedup)
