"""The site build: pre-rendered calculator pages, vendored assets, mkdocs."""

# Where each calculator page lives in the built site (docs/<path>.md).
CALCULATOR_PAGES = {"weights": "calculators/weights", "kv": "calculators/kv-cache", "fit": "calculators/will-it-fit",
                    "roofline": "calculators/roofline", "speculative": "calculators/speculative-decoding",
                    "training": "calculators/training-memory", "playground": "learn/outliers",
                    "number_format": "learn/number-formats",
                    "wizard": "choose"}  # the explorer and the playground live on their Learn pages
