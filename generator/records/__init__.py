"""The record contract shared by the bench (which writes records) and the site (which reads them).

schema    the schema, its validator and the result builder
store     reading record files, and the atomic, resumable writer
analysis  figures derived from records (kernel speedups), never stored in them

Standard library only: nothing here imports torch, so the site builds without it.
"""

from .schema import (METRICS, QUALITY_METRICS, RUN_ID_PATTERN, SCHEMA_VERSION, RecordError, new_result, one_line,
                     utc_now, validate_record, validate_result)
from .store import RecordWriter, load_record, load_records, result_key, write_json_atomically

__all__ = ["METRICS", "QUALITY_METRICS", "RUN_ID_PATTERN", "SCHEMA_VERSION", "RecordError", "RecordWriter",
           "load_record", "load_records", "new_result", "one_line", "result_key", "utc_now", "validate_record",
           "validate_result", "write_json_atomically"]
