"""The learned stage of the quote layer, trained on the team's own gold (issue 17).

    annotate train data/gold ../corpus -o model/        # a gold dataset from pull and/or brat
    annotate convert articles/ --model model/ -o tasks.jsonl

From Python: `load_model(dir)` -> `Model` with `version` ("annotate-learned-<hash>") and
`refine(text, quotes) -> quotes` (the rule stage's quote dicts edited: merged, starts moved,
quotes the rules missed added: clauses after cue words and topic phrases ("critical of the
deal"), with the rule stage's speaker when it reads one, and quoted phrases, without one);
`train_model(sources, dir, seed=0, dev_fraction=0.1)` writes the model and its card.
"""

from .data import Doc, read_sources
from .features import FEATURE_SET
from .model import CARD_FILE, MODEL_FILE, Model, load_model, train_model

__all__ = ["CARD_FILE", "FEATURE_SET", "MODEL_FILE", "Doc", "Model", "load_model", "read_sources", "train_model"]
