"""Figures and tables that prose pages call by name (generator/site/prose.py): each module lists the functions
it offers in `__all__`; a function returns Markdown or HTML for the page."""
