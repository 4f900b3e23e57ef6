"""What the Hub demo (``notebooks/hub_and_jobs.ipynb``) and its tests find on a LocalHub.

A dataset with a viewer, a docs page, a model, and jobs that log a short training run.
"""

from __future__ import annotations

from .server import LocalHub
from .state import JobScript

TRAIN = [
    {"text": "A moving, beautifully shot film.", "label": 1},
    {"text": "Two hours I will never get back.", "label": 0},
    {"text": "Sharp writing and a great cast.", "label": 1},
]
CLASSIFICATION_PAGE = """# Text classification

Fine-tune [DistilBERT](https://huggingface.co/distilbert/distilbert-base-uncased) on IMDb:

```py
from transformers import AutoModelForSequenceClassification, TrainingArguments, Trainer
model = AutoModelForSequenceClassification.from_pretrained("distilbert/distilbert-base-uncased", num_labels=2)
args = TrainingArguments(output_dir="out", learning_rate=2e-5, per_device_train_batch_size=16, num_train_epochs=2)
```
"""
JOB_LOG = [
    "loading stanfordnlp/imdb (25,000 train rows)",
    "epoch 1/2  loss 0.412",
    "epoch 2/2  loss 0.268",
    "eval accuracy 0.914",
    "pushed alice/distilbert-imdb (private)",
]


def seed_demo(hub: LocalHub) -> LocalHub:
    """Put the demo's dataset, docs, model and job behaviour on ``hub``."""
    hub.add_viewer_dataset(
        "stanfordnlp/imdb",
        {"plain_text": {"train": TRAIN, "test": TRAIN[:1]}},
        features={
            "text": {"dtype": "string", "_type": "Value"},
            "label": {"names": ["neg", "pos"], "_type": "ClassLabel"},
        },
        downloads=120_000,
        likes=300,
    )
    hub.add_repo("distilbert/distilbert-base-uncased", "model", downloads=9_000_000, pipeline_tag="fill-mask")
    hub.add_docs("transformers", {"tasks/sequence_classification": ("Text classification", CLASSIFICATION_PAGE)})
    hub.job_script = JobScript(lines=list(JOB_LOG), interval=0.3, final="COMPLETED")
    return hub
