"""Click's own texts (usage, option help, its error messages) from the Dutch catalogue.

Click marks every text it shows for gettext and looks up ``_``/``ngettext`` in its modules at
the moment it shows one; pointing those names at the catalogue gives the CLI Dutch help and
errors without copying click's formatting code, and without touching the process's locale.
"""

from types import ModuleType

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from wijkhub.hub.i18n.catalogue import gettext, ngettext

MODULES: tuple[ModuleType, ...] = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)


def install_for_click() -> None:
    for module in MODULES:
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    # Type names appear inside messages ("'x' is not a valid integer") and are not marked.
    click.types.IntParamType.name = gettext("integer")
    click.types.FloatParamType.name = gettext("float")


def translate_commands(command: click.Command) -> None:
    """The usage line's placeholders ("[OPTIONS]", "COMMAND [ARGS]...") of a command tree."""
    command.options_metavar = gettext("[OPTIONS]")
    if isinstance(command, click.Group):
        command.subcommand_metavar = gettext("COMMAND [ARGS]...")
        for sub in command.commands.values():
            translate_commands(sub)
