"""Git for a synced vault: running git safely, and registering vaultnet's merge drivers.

git keeps merge-driver settings in each clone's own config (they are never pushed), and
which files use a driver in ``.gitattributes`` (which is). ``register`` writes both:

- ``.gitattributes`` in the vault folder: person notes merge with ``vaultnet``, the
  generated outputs (index notes, the calendar) with ``vaultnet-output``;
- ``merge.vaultnet.*`` runs ``vaultnet merge-driver %O %A %B %P`` (the rules are in
  ``edit.merge``); ``merge.vaultnet-output.driver`` is ``true``, which keeps the local
  side: git has no built-in "ours" driver (its built-ins are text, binary and union), and
  the next ``build`` rewrites the outputs anyway.

Every git process gets a small, clean environment (no GIT_DIR or GIT_WORK_TREE leaking in
from a hook, a C locale, no terminal prompt) and no stdin, so it can never stop to ask.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..load.files import replace_file
from ..model.config import Config

DRIVER = "vaultnet"
OUTPUT_DRIVER = "vaultnet-output"
HEADER = "# vaultnet: person notes merge field by field, generated outputs keep the local side"

# The environment git keeps: where programs are, whose home (for the user's own
# safe.directory and identity), and nothing that points git at another repository.
_KEPT = ("PATH", "HOME", "XDG_CONFIG_HOME", "USER", "LOGNAME", "TMPDIR", "SYSTEMROOT")


class GitError(Exception):
    """git is missing, or a git command failed; the message says which and why."""


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in _KEPT}
    env.update(LC_ALL="C", LANG="C", GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="", SSH_ASKPASS="",
               GIT_OPTIONAL_LOCKS="0")
    return env


def run_git(args: list[str], cwd: Path | str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``git ARGS`` in ``cwd``; raise GitError when git is missing or (with ``check``) fails."""
    exe = shutil.which("git", path=os.environ.get("PATH"))
    if exe is None:
        raise GitError("git is not installed (or not on PATH)")
    try:
        done = subprocess.run([exe, *args], cwd=cwd, env=git_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} could not run: {exc}") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done


def work_tree(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, or None when it is not in one."""
    done = run_git(["rev-parse", "--is-inside-work-tree", "--show-toplevel"], cwd=folder, check=False)
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode != 0 or not lines or lines[0] != "true":
        return None
    return Path(lines[1]) if len(lines) > 1 else None


def driver_command() -> str:
    """The command git runs for a person note: this Python and this vaultnet, by absolute path,
    so it works whatever PATH a git client (a GUI, a phone app) runs with."""
    return f"{shlex.quote(sys.executable)} -m vaultnet merge-driver %O %A %B %P"


def _pattern(relative: str, glob: str = "") -> str:
    """A .gitattributes pattern for a path of the vault and a glob under it: the path's glob
    characters escaped, anchored to this folder, quoted in C style when it holds a space or
    a quote (git reads quoted patterns since 2.13)."""
    pattern = "".join("\\" + ch if ch in "*?[]\\" else ch for ch in relative) + glob
    if "/" not in pattern.rstrip("/"):
        pattern = "/" + pattern  # a name alone would match at any depth
    if any(ch in pattern for ch in ' "\t#'):
        pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return pattern


def attribute_lines(config: Config) -> list[str]:
    """The lines .gitattributes needs: person notes, then the outputs (a later line wins)."""
    root = config.root.resolve()

    def relative(path: Path) -> str | None:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return None  # outside the vault: not this .gitattributes' business

    lines = []
    people = relative(config.people_path)
    if people is not None:
        lines.append(("*.md" if people == "." else _pattern(people, "/**/*.md")) + f" merge={DRIVER}")
    index = relative(config.index_path)
    if index not in (None, "."):
        lines.append(f"{_pattern(index, '/**')} merge={OUTPUT_DRIVER}")
    calendar = relative(config.calendar_path)
    if calendar not in (None, "."):
        lines.append(f"{_pattern(calendar)} merge={OUTPUT_DRIVER}")
    return lines


def driver_settings() -> dict[str, str]:
    return {
        f"merge.{DRIVER}.name": "vaultnet person notes (field by field, logs of both sides)",
        f"merge.{DRIVER}.driver": driver_command(),
        f"merge.{OUTPUT_DRIVER}.name": "vaultnet generated outputs (keep the local side; build rewrites them)",
        f"merge.{OUTPUT_DRIVER}.driver": "true",
    }


@dataclass
class Registration:
    """What ``register`` did, one line per file or setting, for ``init`` to print."""

    messages: list[str] = field(default_factory=list)
    changed: bool = False


def register(config: Config) -> Registration:
    """Write the .gitattributes lines and the clone's merge settings; change nothing that is
    already right. Outside a git work tree, say so and do nothing."""
    out = Registration()
    root = config.root
    top = work_tree(root)
    if top is None:
        out.messages.append(f"{root}: not in a git work tree; no merge driver registered "
                            "(run `vaultnet init` again after `git init` or `git clone`)")
        return out
    attributes = root / ".gitattributes"
    if attributes.is_symlink() or (attributes.exists() and not attributes.is_file()):
        raise GitError(f"{attributes} is not a regular file; vaultnet leaves it alone")
    data = attributes.read_bytes() if attributes.exists() else b""
    text = data.decode("utf-8", "surrogateescape")
    present = {line.strip() for line in text.splitlines()}
    wanted = attribute_lines(config)
    missing = [line for line in wanted if line not in present]
    if missing:
        newline = "\r\n" if "\r\n" in text else "\n"
        addition = ("" if not text or text.endswith("\n") else newline)
        addition += ("" if HEADER in present else (newline if text.strip() else "") + HEADER + newline)
        addition += newline.join(missing) + newline
        replace_file(attributes, data + addition.encode("utf-8", "surrogateescape"))
        out.messages.append(f"{attributes}: merge={DRIVER} for person notes, merge={OUTPUT_DRIVER} for outputs")
        out.changed = True
    for key, value in driver_settings().items():
        current = run_git(["config", "--local", "--get", key], cwd=root, check=False)
        if current.returncode == 0 and current.stdout.decode("utf-8", "surrogateescape").rstrip("\n") == value:
            continue
        run_git(["config", "--local", key, value], cwd=root)
        out.messages.append(f"git config {key}: set")
        out.changed = True
    if not out.changed:
        out.messages.append(f"{top}: merge driver already registered")
    return out
