"""Click's own texts (usage, option help, its error messages) from the Dutch catalogue.

Click marks every text it shows for gettext and looks up ``_``/``ngettext`` in its modules at
the moment it shows one; pointing those names at the catalogue gives the CLI Dutch help and
errors without copying click's formatting code, and without touching the process's locale.
"""

import inspect
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
    # ...and they are the placeholders of the help ("--days INTEGER RANGE").
    click.types.StringParamType.name = gettext("text")
    click.types.IntRange.name = gettext("integer range")
    click.types.FloatRange.name = gettext("float range")
    click.types.BoolParamType.name = gettext("boolean")
    click.types.DateTime.name = gettext("datetime")
    click.types.File.name = gettext("filename")


def help_msgid(text: str) -> str:
    """A help text as the catalogue holds it: a docstring without its indentation."""
    return inspect.cleandoc(text)


def translate_commands(command: click.Command) -> None:
    """The usage line's placeholders ("[OPTIONS]", "COMMAND [ARGS]...") and every help text
    of a command tree (the commands are written in English, the msgids of the catalogue)."""
    command.options_metavar = gettext("[OPTIONS]")
    if command.help:
        command.help = gettext(help_msgid(command.help))
    if command.short_help:
        command.short_help = gettext(help_msgid(command.short_help))
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            param.help = gettext(help_msgid(param.help))
        if isinstance(param.type, click.Path):
            # Named when the command was declared, before the catalogue was installed.
            param.type.name = gettext(param.type.name)
    if isinstance(command, click.Group):
        command.subcommand_metavar = gettext("COMMAND [ARGS]...")
        for sub in command.commands.values():
            translate_commands(sub)
