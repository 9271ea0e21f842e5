// The self-check quiz (exam-prep/quiz): Check marks the chosen answer right or wrong, opens the explanation
// with its link to the section that teaches it, and remembers the answer in localStorage, so answers survive
// leaving the page and coming back (also through the theme's instant navigation, which swaps pages without
// reloading this script). Loaded on every page; it does nothing where there is no quiz.
(() => {
  const STORE = "lqfg-quiz-answers";

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE));
      return saved && typeof saved === "object" ? saved : {};
    } catch (error) {
      return {}; // storage disabled or unreadable: the quiz still works, it just forgets
    }
  }

  function save(answers) {
    try {
      localStorage.setItem(STORE, JSON.stringify(answers));
    } catch (error) {
      // storage full or disabled: nothing to do
    }
  }

  function chosen(question) {
    const input = question.querySelector("input[type=radio]:checked");
    return input ? Number(input.value) : null;
  }

  // Shows the verdict for the choice `value` (a number) on one question.
  function mark(question, value) {
    const right = Number(question.dataset.answer);
    const feedback = question.querySelector(".quiz-feedback");
    const details = question.querySelector("details.quiz-why");
    question.classList.remove("quiz-right", "quiz-wrong");
    for (const label of question.querySelectorAll(".quiz-choices label")) label.classList.remove("quiz-picked");
    const input = question.querySelector(`input[type=radio][value="${value}"]`);
    if (!input) return;
    input.checked = true;
    input.closest("label").classList.add("quiz-picked");
    const ok = value === right;
    question.classList.add(ok ? "quiz-right" : "quiz-wrong");
    feedback.textContent = ok ? "Right." : "Not quite: the explanation is below.";
    details.open = true;
  }

  function score(root) {
    const questions = [...root.querySelectorAll("[data-quiz-question]")];
    const answers = load();
    let answered = 0;
    let right = 0;
    for (const question of questions) {
      const value = answers[question.dataset.quizQuestion];
      if (typeof value !== "number") continue;
      answered += 1;
      if (value === Number(question.dataset.answer)) right += 1;
    }
    root.querySelector(".quiz-score").textContent = answered
      ? `${right} right out of ${answered} answered (${questions.length} questions).`
      : `${questions.length} questions. Pick an answer and press Check answer (or Enter).`;
    root.querySelector(".quiz-reset").hidden = answered === 0;
  }

  function check(root, question) {
    const feedback = question.querySelector(".quiz-feedback");
    const value = chosen(question);
    if (value === null) {
      feedback.textContent = "Pick one of the answers first.";
      return;
    }
    const answers = load();
    answers[question.dataset.quizQuestion] = value;
    save(answers);
    mark(question, value);
    score(root);
  }

  function bind(root) {
    if (root.dataset.bound) return;
    root.dataset.bound = "1";
    const answers = load();
    for (const question of root.querySelectorAll("[data-quiz-question]")) {
      const value = answers[question.dataset.quizQuestion];
      if (typeof value === "number") mark(question, value);
      question.querySelector(".quiz-check").addEventListener("click", () => check(root, question));
      // Enter on a radio button checks the answer, as a form's submit would.
      question.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && event.target.matches("input[type=radio]")) {
          event.preventDefault();
          check(root, question);
        }
      });
    }
    root.querySelector(".quiz-reset").addEventListener("click", () => {
      const saved = load();
      for (const question of root.querySelectorAll("[data-quiz-question]")) {
        delete saved[question.dataset.quizQuestion];
        question.classList.remove("quiz-right", "quiz-wrong");
        question.querySelector(".quiz-feedback").textContent = "";
        question.querySelector("details.quiz-why").open = false;
        for (const input of question.querySelectorAll("input[type=radio]")) input.checked = false;
        for (const label of question.querySelectorAll("label")) label.classList.remove("quiz-picked");
      }
      save(saved);
      score(root);
      root.querySelector(".quiz-check").focus();
    });
    score(root);
  }

  function onPage() {
    for (const root of document.querySelectorAll(".quiz[data-quiz]")) bind(root);
  }

  window.__onEveryPage(onPage); // charts.js
})();
