"""annotate: quote attribution datasets with Label Studio.

The library behind the `annotate` command; each stage is usable from Python with the same
result as its command:

    from annotate import convert_text, push_tasks, pull_dataset
    task = convert_text(open("article.txt").read())                   # annotate convert
    push_tasks("http://localhost:8080", token, ["seeds/"], "Quotes")  # annotate push
    pull_dataset("Quotes", "data/gold", url=..., api_key=token)       # annotate pull

Heavier stages are imported on first use, so `import annotate` stays cheap. (`push`,
`pull` and `adjudicate` are the submodules; their entry points are exported under names
that cannot be shadowed by the submodules themselves.)
"""

from __future__ import annotations

import importlib

# The one version of the package (pyproject reads it through hatch); the rule converter has
# its own, CONVERTER_VERSION in annotate.converters, which changes only when predictions do.
__version__ = "0.4.0"

# public name -> (submodule, attribute), imported lazily by __getattr__
_LAZY = {
    "AnnotateError": ("errors", "AnnotateError"),
    "annotate_text": ("converters", "annotate_text"),
    "convert_text": ("converters", "convert_text"),
    "convert_paths": ("convert", "convert_paths"),
    "iter_tasks": ("convert", "iter_tasks"),
    "labeling_config": ("labeling", "labeling_config"),
    "gold_schema": ("labeling", "gold_schema"),
    "push_tasks": ("push", "push"),
    "pull_dataset": ("pull", "pull"),
    "validate_file": ("pull", "validate_file"),
    "validate_record": ("validate", "validate_record"),
    "build_record": ("gold", "build_record"),
    "choose_annotation": ("gold", "choose_annotation"),
    "export_dataset": ("exports", "export_dataset"),
    "agreement_report": ("agreement", "agreement_report"),
    "adjudicate_project": ("adjudicate", "adjudicate"),
    "edit_report": ("editreport", "edit_report"),
    "run_demo": ("demo", "run_demo"),
    "stance_polarity": ("polarity", "stance_polarity"),
    "polarity_scores": ("polarity", "polarity_scores"),
    "push_family": ("familypush", "push_family"),
    "ensure_accounts": ("users", "ensure_accounts"),
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'annotate' has no attribute {name!r}")


def __dir__():
    return __all__
