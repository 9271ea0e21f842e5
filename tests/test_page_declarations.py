"""One declaration per calculator page (calculators/pages/) drives the site, the browser's worker and the CLI."""

import ast
import json
import pkgutil
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

import calculators.pages
from calculators.cli import build_parser, main
from calculators.page import Page
from calculators.pages import all_pages, page
from calculators.render import render_form
from generator.site.hooks import calculators_nav

ROOT = Path(__file__).resolve().parents[1]
PAGES = all_pages()


def page_file(declared: Page) -> Path:
    """docs/<path>.md, or docs/<path>/index.md for a section's own page."""
    plain = ROOT / "docs" / f"{declared.path}.md"
    return plain if plain.exists() else ROOT / "docs" / declared.path / "index.md"


def test_every_module_of_the_package_declares_one_page_and_is_registered():
    modules = [m.name for m in pkgutil.iter_modules(calculators.pages.__path__)]
    assert sorted(modules) == sorted(p.name for p in PAGES)
    for name in modules:
        declared = __import__(f"calculators.pages.{name}", fromlist=["PAGE"]).PAGE
        assert page(name) is declared
    assert [p.order for p in PAGES] == sorted(p.order for p in PAGES) and len({p.order for p in PAGES}) == len(PAGES)
    assert page("no-such-page") is None


@pytest.mark.parametrize("declared", PAGES, ids=lambda p: p.name)
def test_its_page_file_holds_its_marker(declared):
    assert f"<!-- calculator: {declared.name} -->" in page_file(declared).read_text(encoding="utf-8")


def test_no_page_file_names_a_calculator_that_is_not_declared():
    for path in (ROOT / "docs").rglob("*.md"):
        for name in re.findall(r"<!-- calculator: (\w+) -->", path.read_text(encoding="utf-8")):
            assert page(name) is not None, (path, name)


@pytest.mark.parametrize("declared", PAGES, ids=lambda p: p.name)
def test_every_field_is_of_a_kind_the_form_knows(declared):
    from calculators.inputs import options

    selects = {**options(), **declared.choices()}
    for field in declared.fields:
        assert field.kind in selects or field.kind in ("number", "tokens", "text", "checkbox"), field.name
        if field.kind in selects:
            assert field.default in [value for value, _ in selects[field.kind]], field.name


@pytest.mark.parametrize("declared", PAGES, ids=lambda p: p.name)
def test_its_form_is_its_fields_with_their_defaults(declared):
    form = render_form(declared.name)
    assert f'data-calculator="{declared.name}"' in form
    names = re.findall(r'<(?:input|select|textarea)[^>]* name="(\w+)"', form)
    declared_names = [f.name for f in declared.fields]
    assert [n for n in names if n in declared_names] == declared_names
    for field in declared.fields:
        if field.kind == "checkbox":
            checked = re.search(rf'<input type="checkbox" id="f-{field.name}"[^>]*>', form).group(0)
            assert (" checked" in checked) == (field.default == "on"), field.name
        elif re.search(rf'<select id="f-{field.name}"', form):
            select = re.search(rf'<select id="f-{field.name}".*?</select>', form).group(0)
            assert re.findall(r'<option value="([^"]*)" selected>', select) == [field.default], field.name
        else:
            value = re.search(rf'<input [^>]*name="{field.name}"[^>]*value="([^"]*)"', form).group(1)
            assert unescape(value) == field.default, field.name
        assert f'<label for="f-{field.name}">{field.label}' in unescape(form), field.name


def test_the_cli_has_a_command_for_each_page_that_declares_one():
    subcommands = next(action for action in build_parser()._actions if action.dest == "command").choices
    with_command = [p.name for p in PAGES if p.command]
    assert with_command and set(subcommands) == set(with_command) | {"models", "formats", "gpus"}
    for declared in PAGES:
        if declared.command:
            assert subcommands[declared.name].description == declared.command.help


def test_a_page_command_runs(capsys):
    assert main(["speculative", "--acceptance", "0.8", "--draft-tokens", "4", "--draft-cost", "0.1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["speedup"] > 1


def test_the_navigation_lists_each_calculators_page_once_from_its_declaration():
    listed = calculators_nav()
    assert listed == [{p.title: f"{p.path}.md"} for p in PAGES if p.in_calculators_section]
    assert all(page_file(p).name != "index.md" for p in PAGES if p.in_calculators_section)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for declared in PAGES:
        if declared.in_calculators_section:
            assert f"{declared.path}.md" not in text, declared.name  # the hook adds it, once


# Modules that may name several pages together: the declarations themselves and this test.
PAGE_LISTS_ALLOWED = ("calculators/pages/",)


def _page_name_lists(tree) -> list:
    """Literal dicts (by key), tuples, lists and sets in a module that hold the names of three or more pages."""
    known = {p.name for p in PAGES}
    found = []
    for node in ast.walk(tree):
        items = node.keys if isinstance(node, ast.Dict) else node.elts if isinstance(node, (ast.Tuple, ast.List,
                                                                                                ast.Set)) else []
        named = {item.value for item in items if isinstance(item, ast.Constant) and item.value in known}
        if len(named) >= 3:
            found.append((node.lineno, sorted(named)))
    return found


def test_the_check_for_page_lists_finds_one():
    assert _page_name_lists(ast.parse('PATHS = {"weights": "weights", "kv": "kv-cache", "fit": "will-it-fit"}'))
    assert not _page_name_lists(ast.parse('LINKS = [("fit", 1), ("roofline", 2)]'))


def test_no_other_module_keeps_its_own_list_of_pages():
    sources = list((ROOT / "calculators").rglob("*.py")) + list((ROOT / "generator").rglob("*.py"))
    for path in sources:
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(PAGE_LISTS_ALLOWED):
            continue
        lists = _page_name_lists(ast.parse(path.read_text(encoding="utf-8")))
        assert not lists, f"{relative} lists pages itself (line, names): {lists}; read calculators.pages instead"


def test_a_page_imports_its_own_module_and_those_of_the_calculators_it_links_to_only():
    """The browser's worker computes one page: asking for the fit page imports its module and, since its result
    links to the other calculators, theirs; not the pages outside the section, nor what only they need (the
    wizard's knowledge base, the outlier playground), and of the models only the one asked for is built."""
    code = ("import json, sys\n"
            "from calculators.web import compute\n"
            "from calculators.presets import PRESETS\n"
            "reply = compute('fit', {})\n"
            "print(json.dumps({'ok': reply['ok'], 'built': sorted(PRESETS._built),\n"
            "                  'modules': sorted(m for m in sys.modules if m.startswith('calculators'))}))\n")
    report = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                       check=True).stdout)
    assert report["ok"] and report["built"] == [page("fit").defaults["model"]]
    pages = {name.rpartition(".")[2] for name in report["modules"] if name.startswith("calculators.pages.")}
    assert pages == set(calculators.pages.CALCULATORS)
    assert not {"calculators.wizard", "calculators.wizard_web", "calculators.knowledge",
                "calculators.playground"} & set(report["modules"])


def test_a_page_listed_on_the_wrong_side_of_the_calculators_section_is_refused(monkeypatch):
    monkeypatch.setattr(calculators.pages, "_LOADED", {})
    monkeypatch.setattr(calculators.pages, "CALCULATORS", tuple(n for n in calculators.pages.CALCULATORS if n != "kv"))
    monkeypatch.setattr(calculators.pages, "ELSEWHERE", calculators.pages.ELSEWHERE + ("kv",))
    with pytest.raises(ValueError, match="kv.py lives at calculators/kv-cache/ but is listed in ELSEWHERE"):
        page("kv")


def test_each_module_is_listed_once_on_its_side_of_the_calculators_section():
    assert len(set(calculators.pages.MODULES)) == len(calculators.pages.MODULES)
    assert [p.name for p in calculators.pages.calculator_pages()] == [p.name for p in PAGES
                                                                       if p.in_calculators_section]
