"""The benchmark: quantize models, measure them, write records into gpu_runs/.

methods/     one file per quantization method, registered by config type
models       models built from calculators' presets (or the tiny test model) with random weights
streaming    a model built on the meta device and quantized layer by layer (70B-class in 4 bits)
measure      timings with a discarded warm-up, peak memory, KV-cache bytes, agreement with a reference
compiled     the decode step under torch.compile (gpt-fast's way)
whole_model  the runner for whole-model items; kernels: single layers; quality: trained reference models
runner       the loop every suite goes through, and the Measurement each item fills
suites       the registry of suites, each with its runner and items
plan         the GPU plan: items in order of value with estimates, within a wall-clock cap, a process per suite
cli          `python -m generator bench`, `bench-plan`, `bench-prepare`

The record schema, reader and writer are generator.records (no torch).
"""
