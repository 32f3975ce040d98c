"""gunicorn's settings for the web service: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (quota-web.service).

Bind address, workers and timeout are given on the command line (the unit's ExecStart). This file does what
only a configuration file can:

- **Metrics of every worker** (docs/operations.md): prometheus_client's multiprocess mode keeps each
  worker's request counts in PROMETHEUS_MULTIPROC_DIR, so /metrics, answered by any worker, adds up all
  of them. The folder is emptied when gunicorn starts (counts from an earlier run would be added in),
  and a worker that ends has its live gauges removed. Without the variable a private temporary folder is
  made: it must be set before prometheus_client is first imported, which is below.
- **Logs**: gunicorn's own messages go through the app's logging set-up (JSON in production, one object
  per line on stderr); its access log is off, as the app writes one line per request with its id.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, when run from elsewhere

METRICS_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="quota-metrics-"))
)

from prometheus_client import multiprocess  # noqa: E402 (after the variable is set)

from quota_app.ops.logs import dict_config  # noqa: E402
from quota_app.settings import SettingsError, load_settings  # noqa: E402

try:
    logconfig_dict = dict_config(load_settings(), gunicorn=True)
except SettingsError as exc:  # the workers would fail the same way: say it once, in one line
    sys.exit(f"Fejl: {exc}")

wsgi_app = "wsgi:app"
chdir = str(Path(__file__).resolve().parent.parent)
accesslog = None


def on_starting(server):  # type: ignore[no-untyped-def]
    """Empty the metrics folder: the counts start again with the server (as Prometheus expects)."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for entry in METRICS_DIR.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))
