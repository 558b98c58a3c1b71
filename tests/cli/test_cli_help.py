"""The `wijkhub` command's help is Dutch, from the one catalogue: every command's and option's
text is a translation there (a command added with an English text and no entry fails here),
and every --help fits 80 columns."""

import click
import pytest
from click.testing import CliRunner

from wijkhub.hub.cli.main import main
from wijkhub.hub.i18n.catalogue import catalogue


def commands(cmd: click.Command = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            found += commands(sub, (*path, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


DUTCH = {m.string for m in catalogue() if isinstance(m.string, str) and m.string}
# Words of click's and of an untranslated help text.
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "TEXT", "INTEGER", "FILE")


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "wijkhub")
def test_every_help_text_is_a_translation_from_the_catalogue(path: tuple[str, ...]) -> None:
    cmd = command_at(path)
    texts = [cmd.help] + [p.help for p in cmd.params if isinstance(p, click.Option)]
    untranslated = [t for t in texts if t and t not in DUTCH]
    assert untranslated == []


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "wijkhub")
def test_every_help_is_dutch_and_fits_80_columns(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Gebruik:" in result.output and "Opties:" in result.output
    assert [w for w in ENGLISH if w in result.output] == [], result.output
    assert [line for line in result.output.splitlines() if len(line) > 80] == []
