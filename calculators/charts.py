"""The charts of the calculator pages, as Plotly figures built from a result of `web.compute`.

`figures(page, result)` returns plain dicts that JSON carries as they are: the
build embeds the default result's figures in the page (generator/site/hooks.py
through generator/site/charts.py) and the browser draws the figures that the
Pyodide worker returns after each edit, so both come from the page's one
declaration (calculators/pages/, made of calculators/chart_parts.py).
"""

from .pages import page as find_page


def figures(page: str, result: dict) -> list:
    """[{"id", "title", "data", "layout", "x_title", "y_title", "y_format"}] for a page's result; `data` and
    `layout` are Plotly's JSON form, the rest is what the caption and the table view need."""
    declared = find_page(page)
    if declared is None or not result:
        return []
    return declared.charts(result)
