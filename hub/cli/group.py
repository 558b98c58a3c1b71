"""The root command's group: every failure of a command becomes one Dutch sentence and an exit
code, never a traceback. Bad input (a wrong option, setting, file or id) exits with 2; a fault
Wijkhub did not foresee exits with 1 and says how to see the details (WIJKHUB_DEBUG=1)."""

import errno
import os
from typing import Any

import click

from wijkhub.hub.core.errors import ApiError
from wijkhub.hub.core.settings import ConfigError
from wijkhub.hub.i18n import gettext

BAD_INPUT = 2
FAULT = 1


class BadInput(click.ClickException):
    exit_code = BAD_INPUT


class Fault(click.ClickException):
    exit_code = FAULT


def failure(exc: BaseException) -> click.ClickException:
    """The Dutch message and exit code for an exception a command let through."""
    if isinstance(exc, ConfigError):
        return BadInput(str(exc))
    if isinstance(exc, ApiError):
        return BadInput(exc.message)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return BadInput(
            gettext(
                "The address is already in use: another program listens on that port. "
                "Choose another port with --port or stop that program."
            )
        )
    if isinstance(exc, (FileNotFoundError, PermissionError)):
        reason = (
            gettext("no such file or folder")
            if isinstance(exc, FileNotFoundError)
            else gettext("no permission")
        )
        return BadInput(
            gettext("Cannot open {path}: {reason}").format(path=exc.filename, reason=reason)
        )
    return Fault(
        gettext(
            "Something went wrong that Wijkhub did not expect. "
            "Run again with WIJKHUB_DEBUG=1 to see the technical details."
        )
    )


class WijkhubGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:
            if os.environ.get("WIJKHUB_DEBUG"):
                raise
            raise failure(exc) from exc
