"""The site build: pre-rendered calculator pages, vendored assets, mkdocs.

The calculator pages, and where each lives in the built site, are declared in calculators/pages/.
"""
