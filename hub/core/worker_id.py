"""A stable worker id by default, and never one id in two running processes.

The worker marks the outbox rows it holds with its id (`lease_owner`). A process that
restarts under the id it had takes its rows back at once (`DeliveryWorker.run`); under a new
random id it would wait for their leases to run out (60 s by default). So the default id is
derived from the host name and the data directory (`<host>-<hash of the data dir>`), kept in
`<data dir>/worker-id.json` so a restart finds the same one, and the process holds an
exclusive lock on `<data dir>/workers/<id>.lock` while it runs. A second process on the same
host and data directory (`serve` beside `worker`) finds that lock taken and uses the next slot
(`<id>-2`, `-3`, ...), the same one each time it restarts as long as the others keep theirs.
The lock goes with the process, also after kill -9: the restarted process gets its slot back.

A configured id (`worker.id`, `wijkhub worker --id`) is used as given; if another running
process on this data directory holds it, this one refuses to start. Two hosts with one id
cannot see each other's locks: give every host its own id (or keep the default).
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from wijkhub.hub.core.context import ConfigError
from wijkhub.hub.core.settings import Settings
from wijkhub.hub.i18n import gettext

log = logging.getLogger(__name__)

ID_FILE = "worker-id.json"
LOCK_DIR = "workers"
MAX_SLOTS = 64

MSG_IN_USE = gettext(
    "Worker id {id} is already in use by another running process on this data directory; "
    "two processes with the same id would take over each other's messages. Stop that "
    "process or give this process its own id (worker.id, `wijkhub worker --id`)."
)
MSG_NO_SLOT = gettext(
    "{n} Wijkhub processes are already running on this data directory; give this process "
    "its own worker id (worker.id, `wijkhub worker --id`)."
)


class WorkerIdInUse(ConfigError):
    """Another running process holds this worker id."""


@dataclass
class WorkerIdentity:
    id: str
    stable: bool  # derived or configured: a restart under it takes back its rows
    lock_fd: int | None = None

    def release(self) -> None:
        if self.lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.lock_fd)
            self.lock_fd = None


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40] or "host"


def base_id(data_dir: Path) -> str:
    """The default id's stem for this host and data directory, kept in the data directory."""
    host = _host()
    path = data_dir / ID_FILE
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        saved = json.loads(path.read_text(encoding="utf-8"))
        # A data directory copied to another host must not bring its id along.
        if saved["host"] == host and re.fullmatch(r"[A-Za-z0-9_.:-]{1,56}", saved["id"]):
            return str(saved["id"])
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:8]
    stem = f"{host}-{digest}"
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"host": host, "id": stem}) + "\n", encoding="utf-8")
    tmp.replace(path)
    return stem


def _lock(data_dir: Path, worker_id: str) -> int | None:
    """The lock of this id, or None if a running process holds it."""
    locks = data_dir / LOCK_DIR
    locks.mkdir(parents=True, exist_ok=True)
    fd = os.open(locks / f"{worker_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.set_inheritable(fd, False)
    return fd


def claim(settings: Settings) -> WorkerIdentity:
    """This process's worker id, locked for as long as the process runs (or until
    `release`). Raises `WorkerIdInUse` for a configured id another process holds."""
    try:
        return _claim(settings)
    except OSError:
        # No lock possible here (a read-only data directory, a file system without locks):
        # better a process that runs than one that refuses, with the old behaviour.
        log.warning("cannot lock a worker id in %s", settings.data_dir, exc_info=True)
        if settings.worker.id:
            return WorkerIdentity(settings.worker.id, True)
        return WorkerIdentity(f"worker-{secrets.token_hex(4)}", False)


def _claim(settings: Settings) -> WorkerIdentity:
    data_dir = settings.data_dir
    if settings.worker.id:
        fd = _lock(data_dir, settings.worker.id)
        if fd is None:
            raise WorkerIdInUse(MSG_IN_USE.format(id=settings.worker.id))
        return WorkerIdentity(settings.worker.id, True, fd)
    stem = base_id(data_dir)
    for slot in range(1, MAX_SLOTS + 1):
        candidate = stem if slot == 1 else f"{stem}-{slot}"
        fd = _lock(data_dir, candidate)
        if fd is not None:
            return WorkerIdentity(candidate, True, fd)
    raise WorkerIdInUse(MSG_NO_SLOT.format(n=MAX_SLOTS))
