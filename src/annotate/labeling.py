"""The labeling config and gold schema files, from a checkout or from the installed wheel."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

from .io import sha256_text

CONFIG_NAME = "quote_attribution.xml"
SCHEMA_NAME = "gold.schema.json"

# Contract names (SPEC section 2).
LABELS = ("Speaker", "Quote", "Stance")
RELATIONS = ("said_by", "refers_to")
QUOTE_TYPES = ("direct", "indirect", "mixed")
POLARITIES = ("favor", "against", "neutral")
LABEL_FROM = "label"
TEXT_TO = "text"


def shipped_file(name: str) -> Path:
    """Find a shipped file: inside the wheel (annotate/labeling_config) or the source tree."""
    packaged = resources.files("annotate") / "labeling_config" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "labeling_config" / name


@functools.cache
def labeling_config() -> str:
    """The Label Studio XML config that `push` sends."""
    return shipped_file(CONFIG_NAME).read_text(encoding="utf-8")


def config_hash(config: str | None = None) -> str:
    """sha256 of the config text with whitespace folded, so reformatting is not a change."""
    text = " ".join((config if config is not None else labeling_config()).split())
    return sha256_text(text)


@functools.cache
def gold_schema() -> dict:
    """The gold record JSON Schema (2020-12): what `pull` writes and `validate` checks."""
    return json.loads(shipped_file(SCHEMA_NAME).read_text(encoding="utf-8"))
