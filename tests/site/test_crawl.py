"""Every page of the built site, as a visitor's browser loads it: the crawl, the links' anchors, and the check of
each page (site_pages.check_page) for the home page, the results and the missing page; the other sections have
test files of their own (test_pages_*.py), which run beside this one."""

from urllib.parse import urlparse

import pytest

from site_pages import SECTIONS, built_pages, check_page, check_section, crawled, ids_of, section_of


@pytest.fixture(scope="module")
def pages(browser, base_url):
    return crawled(browser, base_url)


def test_the_crawl_reaches_every_calculator(pages, base_url):
    addresses, _ = pages
    for path in ("calculators/weights/", "calculators/will-it-fit/", "calculators/training-memory/"):
        assert f"{base_url}/{path}" in addresses
    assert len(addresses) >= 8


def test_the_crawl_finds_every_page_the_build_wrote_and_each_is_in_a_section_a_test_file_checks(pages, site_dir):
    addresses, _ = pages
    assert sorted({urlparse(address).path for address in addresses}) == built_pages(site_dir)
    assert {section_of(path) for path in built_pages(site_dir)} == set(SECTIONS)


def test_every_linked_anchor_exists(pages, browser):
    """Every #fragment a link points to is an id in its page's HTML as served (not one a script adds later)."""
    _, anchors = pages
    context = browser.new_context()
    for address, fragments in anchors.items():
        ids = ids_of(context.request.get(address).text())
        for fragment in fragments:
            assert fragment in ids, f"{address}#{fragment}"
    context.close()


def test_the_home_page_the_results_and_the_missing_page_load_only_from_the_site_pass_axe_and_fit_a_phone(
        watched, site_dir, base_url):
    check_section(watched, site_dir, base_url, "home and results", at_least=6)
    check_page(watched, base_url + "/no-such-page/", base_url, status=404)
