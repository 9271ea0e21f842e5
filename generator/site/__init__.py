"""The site build: pre-rendered calculator pages, vendored assets, mkdocs."""

# Where each calculator page lives in the built site (docs/<path>.md).
CALCULATOR_PAGES = {"weights": "calculators/weights", "kv": "calculators/kv-cache", "fit": "calculators/will-it-fit",
                    "roofline": "calculators/roofline", "speculative": "calculators/speculative-decoding",
                    "training": "calculators/training-memory",
                    "wizard": "choose"}
