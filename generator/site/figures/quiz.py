"""The self-check quiz (docs/exam-prep/quiz.md) and the calculator links of the learning path.

`quiz()` draws every question of generator/site/quiz_bank.py as a fieldset of real radio buttons with a
Check button; docs/assets/js/quiz.js marks the answer, explains it and remembers it. Without JavaScript the
answer, its explanation and the link to the section that teaches it are in a <details> under each question.
"""

import re
from html import escape
from urllib.parse import urlencode

from calculators.pages import page as calculator_page

from generator.site import prose
from generator.site.quiz_bank import QUESTIONS, Calc

__all__ = ["quiz", "calc_link", "quiz_count"]

_FORMATS = {"gb": prose.gb, "gib": prose.gib, "num": prose.num}
_CODE = re.compile(r"`([^`]+)`")
LETTERS = "ABCDEFGH"


def choice_text(choice) -> str:
    """A choice as the reader sees it: text as written, a Calc as its computed number."""
    if not isinstance(choice, Calc):
        return choice
    value = prose.calc(choice.page, **dict(choice.inputs))[choice.field] * choice.factor
    return _FORMATS[choice.unit](value, choice.digits) + choice.suffix


def site_url(target: str) -> str:
    """A docs-relative "page.md#anchor" as the site's directory URL: "learn/index.md#x" -> "learn/#x"."""
    path, _, anchor = target.partition("#")
    path = path[:-len(".md")]
    path = path[:-len("index")] if path == "index" or path.endswith("/index") else path + "/"
    return path + (f"#{anchor}" if anchor else "")


def _root(page) -> str:
    return "../" * (page.url.count("/") if page is not None else 0)


def _inline(text: str) -> str:
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escape(text, quote=False))


def _question_html(number: int, question, root: str) -> str:
    qid = f"quiz-{question.id}"
    href = escape(root + site_url(question.link))
    texts = [choice_text(choice) for choice in question.choices]
    choices = "".join(
        f'<li><label><input type="radio" name="{qid}" value="{index}"> '
        f'<span class="quiz-letter">{LETTERS[index]}.</span> {_inline(text)}</label></li>'
        for index, text in enumerate(texts))
    answer = f"{LETTERS[question.answer]}. {_inline(texts[question.answer])}"
    return (f'<section class="quiz-question" id="{qid}" data-quiz-question="{escape(question.id)}" '
            f'data-answer="{question.answer}">'
            f'<fieldset><legend><span class="quiz-number">Question {number}.</span> {_inline(question.prompt)}'
            f'</legend><ol class="quiz-choices">{choices}</ol>'
            f'<button type="button" class="md-button quiz-check">Check answer</button>'
            f'<p class="quiz-feedback" role="status" aria-live="polite"></p>'
            f'<details class="quiz-why"><summary>Answer and why</summary>'
            f'<p><strong>Answer: {answer}</strong></p><p>{_inline(question.why)}</p>'
            f'<p>Learn it: <a href="{href}">{escape(question.topic)}</a></p></details>'
            f'</fieldset></section>')


def quiz(page=None) -> str:
    """Every question, with a score line and a reset button that quiz.js brings to life."""
    root = _root(page)
    body = "".join(_question_html(number, question, root) for number, question in enumerate(QUESTIONS, 1))
    return (f'<div class="quiz" data-quiz="exam-prep" data-quiz-total="{len(QUESTIONS)}">'
            '<p class="quiz-score" role="status" aria-live="polite">'
            f'{len(QUESTIONS)} questions. Open "Answer and why" under a question to check it.</p>'
            f"{body}"
            '<p><button type="button" class="md-button quiz-reset" hidden>Clear my answers</button></p>'
            "</div>")


def quiz_count() -> int:
    return len(QUESTIONS)


def calc_link(calculator: str, page=None, **inputs) -> str:
    """A Markdown link target for a calculator page with these inputs in the query, relative to `page`'s source
    file (MkDocs checks it and turns it into the page's address): what a reader opens to check an exercise.
    The inputs must be ones the calculator accepts (the build checks them)."""
    prose.calc(calculator, **inputs)  # rejected inputs stop the build, naming them
    query = urlencode({key: str(value) for key, value in inputs.items()})
    root = "../" * (page.file.src_uri.count("/") if page is not None else 0)
    return f"{root}{calculator_page(calculator).path}.md" + (f"?{query}" if query else "")
