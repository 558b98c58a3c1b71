"""Who may read the hub's files: the data directory is the hub's user's alone (0700), the
database files and the key ring too (0600). The log, the BSN look-up hashes and the sealed
records are in there; `init` makes them so and every start sets them back, but a file that was
wider meanwhile may have been read, so a start says so."""

import stat
from pathlib import Path

from wijkhub.hub.core.settings import Settings
from wijkhub.hub.i18n import gettext

DIR_MODE = 0o700
FILE_MODE = 0o600


def _files(settings: Settings) -> list[tuple[Path, int]]:
    found = [(settings.data_dir, DIR_MODE)]
    found += [(p, FILE_MODE) for p in sorted(settings.data_dir.glob("wijkhub.db*"))]
    found.append((settings.keyring_path, FILE_MODE))
    return [(p, mode) for p, mode in found if p.exists()]


def too_wide(settings: Settings) -> list[str]:
    """One Dutch warning per file or directory that others than its owner may use."""
    warnings = []
    for path, allowed in _files(settings):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~allowed:
            warnings.append(
                gettext(
                    "Warning: {path} had mode {mode:04o}, so other users of this machine could "
                    "read it; it is set back to {allowed:04o}. Check who had access."
                ).format(path=path, mode=mode, allowed=allowed)
            )
    return warnings
