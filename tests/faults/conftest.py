"""The fault tests' world: a private PostgreSQL cluster migrated once per session, the local RabbitMQ
(unacknowledged messages of a dead worker come back at once when its connection drops), real Celery
worker processes, and the harness (tests.faults.harness) as the web side that queues the jobs.

Every loop is bounded in count and time; everything runs on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from tests.faults.cluster import PrivateCluster

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("FAULTS_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
DATABASE = "faults"
PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")


def _require_broker() -> None:
    try:
        with Connection(BROKER, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=2)
    except Exception as exc:
        pytest.fail(f"The fault tests need RabbitMQ at {BROKER} (start it: rabbitmq-server -detached): {exc}")


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    _require_broker()
    # Not under pytest's tmp_path: that is private to root, and the cluster runs as `postgres`.
    private = PrivateCluster(Path(tempfile.mkdtemp(prefix="sf-faults-pg-")))
    private.init()
    env = os.environ | {
        "DATABASE_URL": private.url(DATABASE),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    env["EXPORTS_ROOT"] = str(private.root / "unused")
    try:
        subprocess.run(
            [PYTHON, "scripts/ensure_database.py", DATABASE], cwd=ROOT, env=env, check=True, timeout=120
        )
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        yield private
    finally:
        private.destroy()


class Faults:
    """One test's workers, queue and export directory on the shared private cluster."""

    def __init__(self, cluster: PrivateCluster, root: Path) -> None:
        self.cluster = cluster
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        self.exports = root / "exports"
        self.exports.mkdir()
        self.logs = root
        self.env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DATABASE_URL": cluster.url(DATABASE),
            "CELERY_BROKER_URL": BROKER,
            "FAULTS_QUEUE": self.queue,
            "EXPORTS_ROOT": str(self.exports),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.workers: list[subprocess.Popen[bytes]] = []

    def harness(self, *args: str, timeout: float = 300) -> Any:
        done = subprocess.run(
            [PYTHON, "-m", "tests.faults.harness", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        lines = [line for line in done.stdout.splitlines() if line.startswith(("[", "{"))]
        return json.loads(lines[-1]) if lines else None

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{name}.log").open("ab")
        worker = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-c",
                "1",
                "-Q",
                self.queue,
                "-n",
                f"{name}@faults",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    @staticmethod
    def kill(worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool children at once, as a crash or the OOM killer would."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    def jobs(self) -> list[dict[str, Any]]:
        return self.harness("status")  # type: ignore[no-any-return]

    def files(self) -> list[str]:
        return sorted(p.name for p in self.exports.iterdir())

    def wait(self, what: str, predicate: Callable[[], bool], timeout: float, every: float = 0.5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(every)
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("worker-*.log"))
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        try:
            with Connection(BROKER, connect_timeout=5) as connection:
                connection.default_channel.queue_delete(self.queue)
        except Exception:  # noqa: S110 - a queue left behind is harmless; the broker may be gone
            pass
        if not self.cluster.is_up():
            self.cluster.start()


@pytest.fixture
def faults(cluster: PrivateCluster, tmp_path: Path) -> Iterator[Faults]:
    world = Faults(cluster, tmp_path)
    try:
        yield world
    finally:
        world.close()
