"""The benchmark: quantize models, measure them, write records into gpu_runs/.

records   the record schema (version 1), its validator and the atomic writer
methods/  one file per quantization method, registered by config type
models    models built from calculators' presets (or the tiny test model) with random weights
measure   weight bytes, timings, peak memory and agreement with a 16-bit reference
runner    runs a list of bench items into a record, one result at a time
cli       `python -m generator bench`
"""
