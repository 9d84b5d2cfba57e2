"""What the scripts share: where the repository and the shared data are, how to run
this project's ``word2vec``, and a description of the machine for study records.

Scripts import it as a sibling (``sys.path`` gets the scripts folder first)::

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import SHARED_DATA, machine_description, word2vec_command
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The project's shared folder beside the repository (data sets; may be absent).
SHARED = REPO_ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
SHARED_QUESTIONS = SHARED_DATA / "questions-words.txt"


def word2vec_command(*args) -> list[str]:
    """Return the command line that runs this project's ``word2vec`` with ``args``
    under the current interpreter (so a script run from the venv uses the venv)."""
    return [sys.executable, "-m", "word2vec_cli", *map(str, args)]


def machine_description() -> dict:
    """Return the CPU model, core counts, Python version and date, for the records
    that studies and benchmarks write beside their numbers."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable, "python": platform.python_version(),
            "date": datetime.date.today().isoformat()}
