"""Loader errors.

Takes: nothing.
Gives: ``LoadError``, raised by any loader stage for a file that cannot be loaded. It names the
file, the line (when there is one) and what is wrong, in one line.
"""

from __future__ import annotations

from typing import Optional


class LoadError(Exception):
    def __init__(self, source_file: str, message: str, line: Optional[int] = None):
        self.source_file = source_file
        self.line = line
        self.message = message
        where = f"{source_file}:{line}" if line else source_file
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # picklable with its fields: build/ingest load files in worker processes (16+ files)
        return (type(self), (self.source_file, self.message, self.line))
