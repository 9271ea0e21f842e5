"""The built site, served on 127.0.0.1, and Debian's Chromium driven by Playwright."""

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory):
    """Build once per session, with the address the test server will use."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, port


@pytest.fixture(scope="session")
def base_url(site_dir):
    from generator.site.serve import StaticHandler as _Handler

    directory, port = site_dir
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (tests/run-all.sh does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors, dialogs and every request recorded."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        self.dialogs = []
        self.requests = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r.url))

    def wait_live(self, count=1, timeout=60_000):
        self.page.wait_for_function(f"window.__calc && window.__calc.computeMs.length >= {count}", timeout=timeout)
        return self.page.evaluate("window.__calc.lastReply")

    def followed_to(self, name, timeout=60_000):
        """Waits, after a link to calculator `name` was followed, until that page is bound to its inputs and
        has answered, and returns its reply. The link may be an ordinary navigation or, once the theme's script
        has come, an instant one: that swaps the page in place (the address changes first) and keeps
        window.__calc, whose last reply is the previous page's until the new one answers."""
        self.page.wait_for_selector(f".calc[data-page='{name}'][data-bound]", state="attached", timeout=timeout)
        self.page.wait_for_function("(name) => { const reply = window.__calc.lastReply; "
                                    "return reply !== undefined && reply !== null && reply.page === name; }",
                                    arg=name, timeout=timeout)
        return self.page.evaluate("window.__calc.lastReply")

    def reach_for_the_page(self, timeout=30_000):
        """Moves the pointer over the page, which brings the theme's script (held back until the reader first
        reaches for the page: generator/site/hooks.py, DEFERRED_THEME), and waits until it has set up: its
        instant navigation, search and palette switch then work."""
        self.page.mouse.move(40, 300)
        self.page.mouse.move(60, 320)
        self.page.evaluate("window.__loadTheme()")  # the loading the move started
        self.page.wait_for_function("typeof window.document$ === 'object'", timeout=timeout)

    def address(self, timeout=10_000):
        """The page's address once it holds the inputs of the result on screen (calculators.js writes it when
        typing pauses)."""
        self.page.wait_for_function("!window.__calc.addressPending", timeout=timeout)
        return self.page.url

    def enter(self, values, timeout=60_000):
        """Sets a live calculator's fields as a reader would (a choice picked, a box ticked, text typed) and
        returns the reply computed for all of them: {name: value}, in order (a choice that shows a field
        comes before it). Returns the values the fields held before, to put back with another enter. A reply
        leaves out the fields its choices hide (the pasted config once a preset model is chosen again)."""
        before = {}
        for name, value in values.items():
            field = self.page.locator(f"[name='{name}']")
            before[name] = field.input_value()
            kind = field.evaluate("e => e.type")
            if kind == "checkbox":
                before[name] = "on" if field.is_checked() else ""
                field.set_checked(value == "on")
            elif kind.startswith("select"):
                field.select_option(value)
            else:
                field.fill(value)
        self.page.wait_for_function("""(want) => { const reply = window.__calc.lastReply;
            const given = Object.entries(want).filter(([name]) => reply && name in reply.inputs);
            return given.length > 0 && given.every(([name, value]) => reply.inputs[name] === value); }""",
                                    arg=values, timeout=timeout)
        return self.page.evaluate("window.__calc.lastReply"), dict(reversed(before.items()))


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Watched(page)
    context.close()


@pytest.fixture(scope="session", autouse=True)
def wizard_evidence():
    """The wizard's answers cite the records' evidence summary, which the build loads (generator/site/hooks.py)
    and the browser's worker fetches; the tests' own `compute("wizard", ...)` loads the same one."""
    from calculators import wizard_web
    from generator.site.results.dataset import build_records, load_dataset
    from generator.site.results.evidence import summary

    saved = wizard_web._evidence["summary"]
    wizard_web.use_evidence(summary(load_dataset(build_records())))
    yield
    wizard_web.use_evidence(saved)
