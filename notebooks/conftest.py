"""nbval runs these notebooks unattended: approvals auto-approved, data kept out of $HOME."""

import os
import tempfile

os.environ["ML_INTERN_YOLO"] = "1"
os.environ.setdefault("ML_INTERN_DATA_DIR", tempfile.mkdtemp(prefix="ml-intern-nbval-"))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
