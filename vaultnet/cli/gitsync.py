"""``init``'s git part: register vaultnet's merge drivers in the clone holding the vault."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..edit.gitsetup import GitError, register
from ..model.config import load_config
from ..model.errors import VaultnetError


def register_git(root: Path, echo: Callable[[str], None]) -> None:
    """Register the merge drivers for the vault at ``root`` (nothing outside a git work tree)."""
    try:
        outcome = register(load_config(root.resolve()))
    except GitError as exc:
        raise VaultnetError(f"{exc}; the vault is set up, the merge driver is not (`vaultnet init --no-git` skips it)") from None
    except OSError as exc:
        raise VaultnetError(f"{exc.filename}: {exc.strerror}; the merge driver is not registered") from None
    for message in outcome.messages:
        echo(message)
