"""The command-line framework's own texts — usage, help, errors — in the language in use.

Typer embeds its own copy of click (``typer._click``), whose texts are English and written
in the code (``"Usage: "``, ``"Show this message and exit."``, ``f"Missing {kind} …"``, no
gettext); typer's rich renderer (``typer.rich_utils``) adds constants computed once at
import (panel titles, ``[default: …]``, ``Try … for help.``). None of them follows
``--lang``. This module is the one place that translates them, through the project's
catalogue (:mod:`aptic_qualif.i18n`): :func:`install` wraps typer's three renderers — the
help, the error and the abort message — so that each time one of them runs:

* typer's constants are set to their translation;
* the « Usage: » prefix and the usage words (``[OPTIONS]``, ``COMMAND [ARGS]...``), and the
  help option's « Show this message and exit. », are translated;
* the name shown for a value (a metavar: ``FILE_OR_FOLDER...``, ``YYYY-MM-DD``, given to
  typer as a message id marked with ``N_``) and the type of a value (``<str>`` →
  ``<texte>``) are said in the language in use;
* an error message is matched against the templates of click and typer (:data:`ERRORS`)
  and said again in the language in use; a message no template matches is left as it is.

:class:`LocalizedGroup` reads ``--lang`` from the arguments before they are parsed, so that
an error found while parsing them (an unknown command) is already in that language.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any

from typer.core import TyperGroup

from aptic_qualif.i18n import N_, _, language, set_language

if TYPE_CHECKING:
    from typer._click.exceptions import ClickException

CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
"""typer.rich_utils' constants, and the English text each holds (its message id)."""

USAGE = N_("Usage:")
HELP_OPTION = N_("Show this message and exit.")
USAGE_WORDS = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}

KINDS = {"file": N_("file"), "dir": N_("folder"), "path": N_("path")}
"""The kinds of path typer names in its errors."""

TYPES = {
    "str": N_("text"),
    "int": N_("integer"),
    "float": N_("number"),
    "Path": N_("path"),
    "path": N_("path"),
    "file": N_("file"),
    "dir": N_("folder"),
    "directory": N_("folder"),
}
"""The types typer shows in help (``<str>``, ``<list[Path]>``), said in the language in use."""
_TYPE = re.compile(r"^<(list\[)?([A-Za-z]+)(?: range)?(\])?>$")
"""A type label; a bounded number (``<int range>``) is said as its type, its bounds shown
beside it by typer (``[1<=x<=65535]``)."""


def localized_type(label: str, *, flag: bool = False) -> str:
    """typer's type label (``<str>``, ``<list[Path]>``, ``<text|json>``) in the language in
    use: ``<texte>``, ``<chemin…>``; a choice is left as it is (its values are typed as
    written); a flag shows none (``<bool>`` says nothing one types)."""
    if flag:
        return ""
    match = _TYPE.match(label)
    if match is None or match.group(2) not in TYPES:
        return label
    word = _(TYPES[match.group(2)])
    return f"<{word}…>" if match.group(1) else f"<{word}>"


ERRORS: list[tuple[str, str]] = [
    (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
    (r"Missing parameter (?P<name>.+)\.", N_("Missing parameter {name}.")),
    (r"Missing command\.", N_("Missing command.")),
    (
        r"No such command (?P<name>'.*')\. Did you mean (?P<suggestions>.+)\?",
        N_("No such command {name}. Did you mean {suggestions}?"),
    ),
    (r"No such command (?P<name>'.*')\.", N_("No such command {name}.")),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
        N_("No such option: {name} (possible options: {options})"),
    ),
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (
        r"Got unexpected extra argument\(s\) \((?P<arguments>.*)\)",
        N_("Got unexpected extra argument(s) ({arguments})"),
    ),
    (r"Option (?P<name>'.*') requires an argument\.", N_("Option {name} requires an argument.")),
    (
        r"Option (?P<name>'.*') requires (?P<n>\d+) arguments\.",
        N_("Option {name} requires {n} arguments."),
    ),
    (r"Option (?P<name>'.*') does not take a value\.", N_("Option {name} does not take a value.")),
    (r"Argument (?P<name>'.*') takes (?P<n>\d+) values\.", N_("Argument {name} takes {n} values.")),
    (
        r"Invalid value for (?P<name>.+?): (?P<message>.*)",
        N_("Invalid value for {name}: {message}"),
    ),
    (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
    (
        r"(?:Value error, )?(?P<value>.+?) is not one of (?P<choices>.+)\.",
        N_("{value} is not one of {choices}."),
    ),
    (
        r"(?P<kind>file|dir|path) (?P<path>'.*') does not exist\.",
        N_("{kind} {path} does not exist."),
    ),
    (r"(?P<kind>file|dir|path) (?P<path>'.*') is a file\.", N_("{kind} {path} is a file.")),
    (r"(?P<kind>file|dir|path) (?P<path>'.*') is a directory\.", N_("{kind} {path} is a folder.")),
    (
        r"(?P<kind>file|dir|path) (?P<path>'.*') is not readable\.",
        N_("{kind} {path} is not readable."),
    ),
    (
        r"(?P<kind>file|dir|path) (?P<path>'.*') is not writable\.",
        N_("{kind} {path} is not writable."),
    ),
    (
        r"Value (?P<value>.+) is not a valid (?P<type>.+)\.",
        N_("Value {value} is not a valid {type}."),
    ),
    # typer checks bounded numbers (``min=``, ``max=``) with pydantic, whose texts follow
    (
        r"Input should be greater than or equal to (?P<bound>\S+)",
        N_("Input should be greater than or equal to {bound}"),
    ),
    (
        r"Input should be less than or equal to (?P<bound>\S+)",
        N_("Input should be less than or equal to {bound}"),
    ),
    (r"Input should be greater than (?P<bound>\S+)", N_("Input should be greater than {bound}")),
    (r"Input should be less than (?P<bound>\S+)", N_("Input should be less than {bound}")),
    (
        r"Input should be a valid integer, unable to parse string as an integer",
        N_("Input should be a whole number"),
    ),
    (
        r"Input should be a valid number, unable to parse string as a number",
        N_("Input should be a number"),
    ),
]
"""Each English error text of click and typer (a regular expression matching the whole
text), and its message id. A field named ``message`` is itself an error text, translated in
turn; a field named ``kind`` is a kind of path (:data:`KINDS`)."""

_COMPILED = [(re.compile(pattern, re.DOTALL), message) for pattern, message in ERRORS]
_QUOTED = re.compile(r"'([^']*)'")


def _quotes(text: str) -> str:
    """Names click quotes in English (``'--force'``), between French quotes (« --force »)."""
    return _QUOTED.sub(lambda m: f"«\u00a0{m.group(1)}\u00a0»", text)


def translate_error(message: str) -> str:
    """An error text of click or typer in the language in use (as it is in English, or when
    no template matches it)."""
    if language() == "en":
        return message
    for pattern, msgid in _COMPILED:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        fields: dict[str, str] = {}
        for key, value in found.groupdict().items():
            if value is None:
                continue
            if key == "message":
                fields[key] = translate_error(value)
            elif key == "kind":
                fields[key] = _(KINDS[value])
            else:
                fields[key] = _quotes(value)
        return _(msgid).format(**fields)
    return message


def apply_constants() -> None:
    """Set typer's rich constants to their text in the language in use."""
    from typer import rich_utils

    for name, msgid in CONSTANTS.items():
        setattr(rich_utils, name, _(msgid))


def _usage_words(args: str) -> str:
    for english, msgid in USAGE_WORDS.items():
        args = args.replace(english, _(msgid))
    return args


def install() -> None:
    """Translate typer's and click's texts from now on (once; later calls do nothing).

    typer imports its rich renderer only to show help or an error, and rich costs every
    command a twentieth of a second: its renderers are translated as it is imported, or at
    once if it already is."""
    from typer._click import formatting

    if getattr(formatting, "_aptic_qualif_localized", False):
        return
    formatting._aptic_qualif_localized = True  # type: ignore[attr-defined]

    write_usage = formatting.HelpFormatter.write_usage

    def localized_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, _usage_words(args), _(USAGE) + " " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = localized_usage  # type: ignore[method-assign]

    from typer.core import TyperArgument, TyperOption, _TyperParameter

    display_type = _TyperParameter.display_type

    def localized_display_type(self: Any, ctx: Any) -> str:
        flag = isinstance(self, TyperOption) and self.is_bool_flag
        return localized_type(str(display_type(self, ctx)), flag=flag)

    _TyperParameter.display_type = localized_display_type  # type: ignore[method-assign]

    def localized_name(self: Any) -> str:
        return _(self.metavar) if self.metavar is not None else str(self.name)

    _TyperParameter.display_name_raw = property(localized_name)  # type: ignore[assignment,method-assign]

    def localized_type_rich(self: Any, ctx: Any) -> str | None:
        shown = display_type_rich(self, ctx)
        return _(self.metavar) if self.metavar is not None and shown == self.metavar else shown

    display_type_rich = TyperOption.display_type_rich
    TyperOption.display_type_rich = localized_type_rich  # type: ignore[method-assign]

    usage_name = TyperArgument._usage_display_name

    def localized_usage_name(self: Any) -> str:
        # a metavar that already ends with « ... » is not followed by a second one
        return str(usage_name(self)).replace("...}...", "}...").replace("...]...", "]...")

    TyperArgument._usage_display_name = localized_usage_name  # type: ignore[method-assign]

    if RICH_UTILS in sys.modules:
        _localize_rich(sys.modules[RICH_UTILS])
    else:
        sys.meta_path.insert(0, _LocalizeOnImport())


RICH_UTILS = "typer.rich_utils"


class _LocalizeOnImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when typer imports its rich renderer, has it translated
    (:func:`_localize_rich`) as soon as it is loaded, then leaves the import system."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != RICH_UTILS:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        load = loader.exec_module

        def load_then_localize(module: ModuleType) -> None:
            load(module)
            _localize_rich(module)

        loader.exec_module = load_then_localize  # type: ignore[method-assign]
        return spec


def _localize_rich(rich_utils: Any) -> None:
    """Translate typer's rich renderers: help, errors, aborts."""
    if getattr(rich_utils, "_aptic_qualif_localized", False):
        return
    rich_utils._aptic_qualif_localized = True

    format_help: Callable[..., Any] = rich_utils.rich_format_help
    format_error: Callable[..., Any] = rich_utils.rich_format_error
    abort_error: Callable[..., Any] = rich_utils.rich_abort_error

    def localized_help(*, obj: Any, ctx: Any, markup_mode: Any) -> None:
        apply_constants()
        option = obj.get_help_option(ctx)
        if option is not None:
            option.help = _(HELP_OPTION)
        format_help(obj=obj, ctx=ctx, markup_mode=markup_mode)

    def localized_error(self: ClickException) -> None:
        apply_constants()
        message = translate_error(self.format_message())
        self.format_message = lambda: message  # type: ignore[method-assign]
        format_error(self)

    def localized_abort() -> None:
        apply_constants()
        abort_error()

    rich_utils.rich_format_help = localized_help
    rich_utils.rich_format_error = localized_error
    rich_utils.rich_abort_error = localized_abort


def language_from_args(args: Sequence[str]) -> str | None:
    """The value of ``--lang`` among ``args``, if any (read before the commands are parsed)."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class LocalizedGroup(TyperGroup):
    """The root command: the language of ``--lang`` is in use before the arguments are
    parsed, so that the errors found while parsing them are said in it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        asked = language_from_args(sys.argv[1:] if args is None else list(args))
        if asked is not None:
            with contextlib.suppress(ValueError):  # the --lang option reports it
                set_language(asked)
        return super().main(args, *rest, **options)
