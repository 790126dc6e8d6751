"""The vault and its ``vaultnet.toml``: where things are, and the cadences.

The config is flat and every key is optional. Each key has one entry in
``_KEYS`` (its reader and default), so a new key is one line there plus a
field on ``Config``. An unknown key or a bad value is an error naming the key:
a typo must not silently fall back to a default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from .durations import Duration, parse_duration
from .errors import VaultnetError

CONFIG_NAME = "vaultnet.toml"
DEFAULT_CIRCLES = {"inner": "14d", "close": "30d", "network": "90d"}


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _inside_path(value: Any) -> str:
    """A path relative to the vault that stays inside it (no absolute paths, no ``..``)."""
    text = _text(value).replace("\\", "/")
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts or (len(text) > 1 and text[1] == ":"):
        raise ValueError(f"{value!r} must be a path inside the vault, relative to it (no '..')")
    return str(path)


def _choice(*choices: str) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return read


def _cadence(value: Any) -> Duration:
    duration = parse_duration(value)
    if not duration.never and duration.amount == 0:
        raise ValueError("a cadence of zero days means every day is overdue; use 1d, or none")
    return duration


def _circles(value: Any) -> dict[str, Duration]:
    if not isinstance(value, dict):
        raise ValueError("must be a table like [circles] inner = \"14d\"")
    circles = {}
    for name, cadence in value.items():
        try:
            circles[name.strip().lower()] = _cadence(cadence)
        except ValueError as exc:
            raise ValueError(f"circle '{name}': {exc}") from None
    return circles


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("must be a whole number, 0 or more (0: no limit)")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _folders(value: Any) -> tuple[str, ...]:
    """A list of folders inside the vault, relative to it (``ignore = ["People/Templates"]``)."""
    if not isinstance(value, list):
        raise ValueError('must be a list of folders, like ignore = ["People/Templates", "Archive"]')
    out = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a folder name; write each folder as a quoted path")
        folder = _inside_path(item).rstrip("/")
        if folder in ("", "."):
            raise ValueError(f"{item!r} is the whole vault; name a folder inside it")
        out.append(folder)
    return tuple(dict.fromkeys(out))


# key -> (reader, default as written in a config file)
_KEYS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "people_dir": (_inside_path, "People"),
    "index_dir": (_inside_path, "Index"),
    "calendar": (_inside_path, "followups.ics"),
    "calendar_horizon": (parse_duration, "90d"),
    "calendar_name": (_text, "Follow-ups"),
    "birthdays": (_flag, True),
    "default_cadence": (_cadence, "90d"),
    "first_follow_up": (parse_duration, "3d"),
    "link_style": (_choice("wikilink", "markdown"), "wikilink"),
    "templates_dir": (_inside_path, ".vaultnet/templates"),
    "circles": (_circles, DEFAULT_CIRCLES),
    "follow_ups_per_day": (_count, 5),
    "needs_confirm_after": (parse_duration, "6m"),
    "mentions": (_flag, True),
    "ignore": (_folders, []),
}


@dataclass(frozen=True)
class Config:
    """The settings of one vault, with every default applied."""

    root: Path
    people_dir: str = "People"
    index_dir: str = "Index"
    calendar: str = "followups.ics"
    calendar_horizon: Duration = Duration(90, "d")
    calendar_name: str = "Follow-ups"
    birthdays: bool = True
    default_cadence: Duration = Duration(90, "d")
    first_follow_up: Duration = Duration(3, "d")  # after meeting someone never contacted since
    link_style: str = "wikilink"
    templates_dir: str = ".vaultnet/templates"
    circles: dict[str, Duration] = field(default_factory=lambda: _circles(DEFAULT_CIRCLES))
    source: Path | None = None  # the config file read, if any
    follow_ups_per_day: int = 5  # the daily cap the plan spreads follow-ups by; 0: none
    needs_confirm_after: Duration = Duration(6, "m")  # a dated need older than this: ask again
    mentions: bool = True  # links to people in dated notes elsewhere in the vault count as contacts
    ignore: tuple[str, ...] = ()  # folders no walk of the vault enters

    @property
    def people_path(self) -> Path:
        return self._inside("people_dir", self.people_dir)

    @property
    def index_path(self) -> Path:
        return self._inside("index_dir", self.index_dir)

    @property
    def calendar_path(self) -> Path:
        return self._inside("calendar", self.calendar)

    @property
    def templates_path(self) -> Path:
        return self._inside("templates_dir", self.templates_dir)

    def _inside(self, key: str, rel: str) -> Path:
        """``root / rel``, refused when a symbolic link on the way leads out of the vault.

        A shared or cloned vault could ship ``People`` or ``Index`` as a link to
        ``~/.ssh`` or the like; vaultnet reads and writes only inside the vault.
        """
        path = self.root / rel
        try:
            resolved, root = path.resolve(), self.root.resolve()
        except (OSError, RuntimeError):
            return path
        if resolved != root and root not in resolved.parents:
            raise VaultnetError(
                f"{key} '{rel}' is a symbolic link leading outside the vault (to {resolved}); vaultnet reads and "
                "writes only inside the vault: replace the link with a real folder or file"
            )
        return path

    def circle_cadence(self, circle: str | None) -> Duration | None:
        if not circle:
            return None
        found = self.circles.get(circle)  # circles are written in lower case: most need no folding
        return found if found is not None else self.circles.get(circle.strip().lower())


def layout_problems(config: Config) -> list[tuple[str, str]]:
    """What is wrong with where the config puts things, as ``(message, fix)`` pairs.

    The outputs (``index_dir``'s notes, the ``calendar``) are rewritten wholesale, so they
    must never land on a person note, a template, the config, ``.git`` or vaultnet's own
    folder; and the people, index and templates folders must not hold one another
    (generated notes would be read as people, templates as people or overwritten by
    outputs). Paths are compared as resolved, so ``Index`` as a symbolic link to
    ``People`` is the people folder.
    """
    root = os.path.realpath(config.root)

    def real(rel: str) -> str:
        return os.path.realpath(os.path.join(config.root, rel))

    def within(inner: str, outer: str) -> bool:
        return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)

    def named(key: str, rel: str, resolved: str) -> str:
        literal = os.path.normpath(os.path.join(root, rel))
        if resolved == literal:
            return f"{key} '{rel}'"
        shown = os.path.relpath(resolved, root).replace(os.sep, "/")
        return f"{key} '{rel}' (a symbolic link to '{shown}')"

    def hidden_between(inner: str, outer: str) -> bool:
        return any(part.startswith(".") for part in os.path.relpath(inner, outer).split(os.sep) if part != ".")

    people, index = real(config.people_dir), real(config.index_dir)
    templates, calendar = real(config.templates_dir), real(config.calendar)
    p = named("people_dir", config.people_dir, people)
    i = named("index_dir", config.index_dir, index)
    t = named("templates_dir", config.templates_dir, templates)
    c = named("calendar", config.calendar, calendar)
    own_folders = "Give each its own folder (defaults: people_dir = \"People\", index_dir = \"Index\", templates_dir = \".vaultnet/templates\")"
    found: list[tuple[str, str]] = []
    if within(index, people):
        found.append((f"{i} is inside {p}; generated notes would be read as people", "Choose another index_dir (default: Index)"))
    elif within(people, index):
        found.append((f"{p} is inside {i}; the index notes would be written among the person notes' folders", own_folders))
    if within(index, templates) or within(templates, index):
        found.append((f"{i} and {t} overlap; the index notes would overwrite the templates", own_folders))
    if within(people, templates) or (within(templates, people) and not hidden_between(templates, people)):
        found.append((f"{p} and {t} overlap; templates would be read as people", own_folders))
    for folder, key in ((os.path.join(root, ".git"), "git's folder '.git'"), (os.path.join(root, ".vaultnet"), "vaultnet's own folder '.vaultnet'")):
        if within(index, folder):
            found.append((f"{i} is inside {key}; index notes must go in a folder of the vault", "Choose another index_dir (default: Index)"))
        if within(calendar, folder):
            found.append((f"{c} is inside {key}", "Choose another calendar path (default: followups.ics)"))
    calendar_fix = "Choose a calendar path of its own (default: followups.ics)"
    if calendar == root or within(index, calendar) or within(people, calendar) or within(templates, calendar):
        found.append((f"{c} is a folder of the vault, not a file for the feed", calendar_fix))
    elif calendar == os.path.join(root, CONFIG_NAME):
        found.append((f"{c} is the config file; the feed would overwrite it", calendar_fix))
    elif within(calendar, people):
        found.append((f"{c} is inside {p}; the feed would overwrite or sit among the person notes", calendar_fix))
    elif within(calendar, templates):
        found.append((f"{c} is inside {t}; the feed would overwrite or sit among the templates", calendar_fix))
    elif within(calendar, index) and calendar.lower().endswith(".md"):
        found.append((f"{c} is a note inside {i}; the feed would overwrite or sit among the index notes", calendar_fix))
    return found


def parse_config(data: dict[str, Any], root: Path, source: Path | None = None) -> Config:
    """Check every key of a parsed config table and build the Config."""
    where = source.name if source else CONFIG_NAME
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in _KEYS:
            import difflib  # only for a key no one knows: not on every run

            close = difflib.get_close_matches(key, list(_KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(_KEYS)})"
            raise VaultnetError(f"{where}: unknown key '{key}'{hint}")
        reader, _default = _KEYS[key]
        try:
            values[key] = reader(raw)
        except ValueError as exc:
            raise VaultnetError(f"{where}: key '{key}': {exc}") from None
    if "circles" in values:
        # A [circles] table adds to or overrides the default circles.
        values["circles"] = {**_circles(DEFAULT_CIRCLES), **values["circles"]}
    return Config(root=root, source=source, **values)


def load_config(root: Path) -> Config:
    """Read ``vaultnet.toml`` at the vault root, or use the defaults when there is none."""
    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(root=root)
    except OSError as exc:
        raise VaultnetError(f"{path}: cannot read the config: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise VaultnetError(f"{path}: the config is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise VaultnetError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, root, path)


def find_vault(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """``--vault`` (or ``$VAULTNET_VAULT``, which Click folds into it), else the nearest
    folder upwards holding ``vaultnet.toml``, else the current directory."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise VaultnetError(f"vault folder not found: {path}")
        return path.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return start


def config_template() -> str:
    """The text ``init`` writes: every key commented out at its default."""
    lines = ["# vaultnet settings; every key is optional and shown here at its default.", ""]
    for key, (_reader, default) in _KEYS.items():
        if key == "circles":
            continue
        if isinstance(default, bool):
            shown = str(default).lower()
        elif isinstance(default, int):
            shown = str(default)  # a number, as the key reads it
        elif default == []:
            shown = "[]"
        else:
            shown = f'"{default}"'
        lines.append(f"# {key} = {shown}")
    lines += ["", "[circles]"] + [f'{name} = "{cadence}"' for name, cadence in DEFAULT_CIRCLES.items()]
    return "\n".join(lines) + "\n"
