"""The generator: `python -m generator <command>`.

Its commands arrive with their issues: `bench` quantizes and measures models
and writes records into gpu_runs/; `build` validates the records, renders the
pages and runs mkdocs; `serve` builds and serves the site on 127.0.0.1. Both
stages compute through `calculators/`, never through formulas of their own.
"""
