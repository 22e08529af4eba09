"""Imported last by the worker pool's forkserver process (the preload list of ``pool.get_pool``): it loads what every
comment worker loads before its first text (VADER's lexicon, the Japanese dictionaries and tokenizer: 0.04 s of CPU),
once, in the forkserver, so the workers forked from it start with them instead of each loading its own copy.
Nothing else should import this module."""

from __future__ import annotations

from cxdash.analysis.comments import _warm

_warm(True)
