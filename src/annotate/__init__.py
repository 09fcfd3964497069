"""annotate: quote attribution datasets with Label Studio.

The library behind the `annotate` command. Each stage is usable from Python:

    from annotate import convert_text, convert_paths
    task = convert_text(open("article.txt").read())
"""

__version__ = "0.1.0"

from .convert import convert_paths, iter_tasks  # noqa: E402
from .converters import annotate_text, convert_text  # noqa: E402
from .errors import AnnotateError  # noqa: E402
from .labeling import gold_schema, labeling_config  # noqa: E402

__all__ = [
    "AnnotateError",
    "__version__",
    "annotate_text",
    "convert_paths",
    "convert_text",
    "gold_schema",
    "iter_tasks",
    "labeling_config",
]
