"""The self-check quiz in Chromium: by mouse and by keyboard, a wrong answer's explanation and link, answers that
survive navigation, nothing from another host, and axe; plus the Exam prep and Evaluate pages' links."""

import re
from urllib.parse import urljoin

import pytest

from generator.site.figures.quiz import site_url
from generator.site.quiz_bank import QUESTIONS
from site_pages import axe_violations, foreign_requests

QUIZ = "/exam-prep/quiz/"
MY_PAGES = ("evaluate/index.html", "exam-prep/index.html", "exam-prep/quiz/index.html")


def question(page, qid):
    return page.locator(f"[data-quiz-question='{qid}']")


def wrong_index(qid):
    item = next(q for q in QUESTIONS if q.id == qid)
    return (item.answer + 1) % len(item.choices), item.answer


def test_every_question_links_to_an_anchor_of_the_built_site(site_dir):
    site, _ = site_dir
    for item in QUESTIONS:
        path, _, anchor = site_url(item.link).partition("#")
        html = (site / path / "index.html").read_text(encoding="utf-8")
        assert not anchor or f'id="{anchor}"' in html, item.link


def test_the_pages_are_small_and_the_quiz_has_every_question(site_dir):
    site, _ = site_dir
    for path in MY_PAGES:
        assert (site / path).stat().st_size < 400_000, path
    html = (site / "exam-prep/quiz/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"data-quiz-question=", html)) == len(QUESTIONS) >= 40


def test_a_wrong_answer_by_mouse_explains_and_links_to_its_section(watched, base_url):
    page = watched.page
    page.goto(base_url + QUIZ)
    wrong, right = wrong_index("fp8-digits")
    card = question(page, "fp8-digits")
    card.locator(f"input[value='{wrong}']").click()
    card.locator(".quiz-check").click()
    assert "quiz-wrong" in card.get_attribute("class")
    assert "explanation" in card.locator(".quiz-feedback").inner_text()
    assert card.locator("details.quiz-why").evaluate("d => d.open")
    link = card.locator("details.quiz-why a")
    assert link.is_visible()
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url("**/learn/number-formats/#fp8")
    page.wait_for_selector("[id='fp8']")  # instant navigation swaps the content after the address changes
    assert page.locator("[id='fp8']").count() == 1
    assert urljoin(base_url + QUIZ, href) == page.url
    # The right answer turns the card right and says so.
    page.goto(base_url + QUIZ)
    card = question(page, "fp8-digits")
    card.locator(f"input[value='{right}']").click()
    card.locator(".quiz-check").click()
    assert "quiz-right" in card.get_attribute("class") and card.locator(".quiz-feedback").inner_text() == "Right."
    assert watched.errors == []


def test_the_quiz_works_by_keyboard_alone(watched, base_url):
    page = watched.page
    page.goto(base_url + QUIZ)
    first = QUESTIONS[0]
    card = question(page, first.id)
    # Tab from the page's top reaches the first question's radio group; arrows choose, Enter checks.
    card.locator("input[type=radio]").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"quiz-{first.id}"
    page.keyboard.press("Space")  # select the focused (first) choice
    for _ in range(first.answer):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert "quiz-right" in card.get_attribute("class")
    # A wrong choice checked with Tab to the button and Space.
    second = QUESTIONS[1]
    card = question(page, second.id)
    wrong, _ = wrong_index(second.id)
    card.locator(f"input[value='{wrong}']").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('quiz-check')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus ring shows where the keyboard is
    page.keyboard.press("Space")
    assert "quiz-wrong" in card.get_attribute("class")
    assert card.locator("details.quiz-why").evaluate("d => d.open")
    assert watched.errors == []


def test_answers_survive_navigating_away_and_back(watched, base_url):
    page = watched.page
    page.goto(base_url + QUIZ)
    wrong, _ = wrong_index("kv-llama2")
    right = next(q for q in QUESTIONS if q.id == "int4-levels").answer
    for qid, value in (("kv-llama2", wrong), ("int4-levels", right)):
        card = question(page, qid)
        card.locator(f"input[value='{value}']").click()
        card.locator(".quiz-check").click()
    score = page.locator(".quiz-score").inner_text()
    assert score.startswith("1 right out of 2 answered")

    def restored():
        for qid, value, verdict in (("kv-llama2", wrong, "quiz-wrong"), ("int4-levels", right, "quiz-right")):
            card = question(page, qid)
            assert card.locator(f"input[value='{value}']").is_checked(), qid
            assert verdict in card.get_attribute("class"), qid
        assert page.locator(".quiz-score").inner_text() == score

    # Instant navigation (the theme swaps pages without reloading the scripts) away and back.
    page.click("nav a[href$='evaluate/']")
    page.wait_for_url("**/evaluate/")
    page.click("nav a[href$='exam-prep/quiz/']")
    page.wait_for_url("**" + QUIZ)
    page.wait_for_selector(".quiz[data-bound]")
    restored()
    page.reload()
    page.wait_for_selector(".quiz[data-bound]")
    restored()
    # Clearing forgets them.
    page.locator(".quiz-reset").click()
    assert "quiz-wrong" not in question(page, "kv-llama2").get_attribute("class")
    page.reload()
    assert not question(page, "kv-llama2").locator("input:checked").count()
    assert watched.errors == []


@pytest.mark.parametrize("path", ["/exam-prep/quiz/", "/exam-prep/", "/evaluate/"])
def test_the_pages_load_only_from_the_site_pass_axe_and_fit_a_phone(watched, base_url, path):
    page = watched.page
    page.goto(base_url + path)
    if path == QUIZ:  # answered, so the marked state is checked too
        card = question(page, QUESTIONS[0].id)
        card.locator(f"input[value='{(QUESTIONS[0].answer + 1) % len(QUESTIONS[0].choices)}']").click()
        card.locator(".quiz-check").click()
    page.wait_for_load_state("networkidle")
    assert foreign_requests(watched, base_url) == []
    violations = axe_violations(page)
    assert violations == [], violations
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing scrolls sideways
    page.wait_for_timeout(200)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    assert watched.errors == []


def test_the_exercise_links_open_their_calculator_with_the_inputs(watched, base_url):
    page = watched.page
    page.goto(base_url + "/exam-prep/")
    page.locator("#exercise-fit ~ details summary").first.click()
    link = page.locator("a", has_text="Check it in Will it fit").first
    link.click()
    page.wait_for_url("**/calculators/will-it-fit/?*")
    assert page.input_value("#f-model") == "llama-3.1-70b" and page.input_value("#f-gpu") == "h100-sxm"
    assert page.input_value("#f-context") == "8192"
