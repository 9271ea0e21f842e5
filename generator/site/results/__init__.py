"""The Results section: records -> a dataset -> pages, charts, downloads and the wizard's evidence summary,
all at build time.

dataset      every record, flattened into rows; the CSV of all results
device       one device's sections: decode speed, memory, the kernel sweep, quality, what is missing
calibration  the calculators' predictions against the measurements
findings     the home page's findings, computed from the data
evidence     the evidence summary the decision wizard reads (`python -m generator evidence`)
published    published figures with their sources
pages        the Markdown pages (Jinja2 templates in generator/site/templates/results/)
"""
