"""Per-partner signing secrets, kept in files beside the configuration (mode 0600) or in
environment variables; partners.toml only names where (`secret = "file:…"` / `"env:…"`)."""

import os
import secrets
import tomllib
from pathlib import Path


def write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)


def ensure_partner_secrets(config_dir: Path) -> list[Path]:
    """Create every `file:` secret partners.toml names but that does not exist yet.

    The administrator hands each partner its secret over a safe channel; the hub refuses
    status updates from a partner without one.
    """
    partners = tomllib.loads((config_dir / "partners.toml").read_text()).get("partner", [])
    created = []
    for p in partners:
        ref = p.get("secret", "")
        if ref.startswith("file:"):
            path = config_dir / ref.removeprefix("file:")
            if not path.exists():
                write_secret(path, secrets.token_urlsafe(32))
                created.append(path)
    return created
