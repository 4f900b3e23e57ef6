"""nbval runs these notebooks unattended: approvals auto-approved, data kept out of $HOME."""

import os
import tempfile

os.environ["ML_INTERN_YOLO"] = "1"
os.environ.setdefault("ML_INTERN_DATA_DIR", tempfile.mkdtemp(prefix="ml-intern-nbval-"))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

# The Hub notebook talks to a local Hub-compatible server (the one the tests use), never huggingface.co.
from tests.hub_server import TEST_TOKEN, LocalHub
from tests.hub_server.demo import seed_demo

_HUB = seed_demo(LocalHub().start())
os.environ["HF_ENDPOINT"] = _HUB.endpoint
os.environ["HF_DATASETS_SERVER"] = _HUB.datasets_server
os.environ["HF_TOKEN"] = TEST_TOKEN
