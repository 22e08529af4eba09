"""How every CLI command prints its result: JSON on stdout with ``--json``, else one human sentence."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def emit(args: argparse.Namespace, data: Any, text: str, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    if getattr(args, "json", False):
        stream.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        stream.write(text + "\n")
