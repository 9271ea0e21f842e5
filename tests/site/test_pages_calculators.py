"""The calculators' pages and the wizard's as a visitor's browser loads them (site_pages.check_page), in a test
process of their own."""

from site_pages import check_section


def test_the_calculator_pages_load_only_from_the_site_pass_axe_and_fit_a_phone(watched, site_dir, base_url):
    check_section(watched, site_dir, base_url, "calculators", at_least=8)
