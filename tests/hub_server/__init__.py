"""A local Hugging Face Hub-compatible server for tests (see ``server.LocalHub``).

It serves what ``huggingface_hub`` 1.33 and the Hub tools call: repos (create, info, settings,
tree, paths-info, preupload + commit, resolve, branches, tags, refs, listing), discussions and
pull requests, papers, docs pages, the dataset viewer (``/datasets-server``) and HF Jobs (with
hardware prices, logs as server-sent events and scheduled jobs). It checks the bearer token,
repo types and private repos (404 without the owner's token) the way the Hub does.
"""

from .server import LocalHub
from .state import (
    GITATTRIBUTES,
    KINDS,
    TEST_TOKEN,
    Discussion,
    HubError,
    Job,
    JobScript,
    RecordedRequest,
    Repo,
    ScheduledJob,
    git_sha1,
)

__all__ = [
    "GITATTRIBUTES",
    "KINDS",
    "TEST_TOKEN",
    "Discussion",
    "HubError",
    "Job",
    "JobScript",
    "LocalHub",
    "RecordedRequest",
    "Repo",
    "ScheduledJob",
    "git_sha1",
]
