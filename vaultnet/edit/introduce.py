"""Recording an introduction: a ``helped`` item and a log line on both notes, as one change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..model.config import Config
from ..model.errors import UsageProblem, VaultnetError
from ..model.links import field_link
from ..model.person import Person, visible_text
from ..model.yamltext import check_text
from .actions import clean_text, contact_edit
from .atomic import edit_notes


@dataclass
class IntroOutcome:
    changed: list[str]
    messages: list[str] = field(default_factory=list)
    already: bool = False


def helped_text(config: Config, other: Person, why: str | None) -> str:
    """The text of the ``helped`` item (after its date): ``introduced to [[B]]: WHY``."""
    text = f"introduced to {field_link(config, other)}"
    return f"{text}: {why}" if why else text


def record_introduction(config: Config, a: Person, b: Person, day: date, why: str | None) -> IntroOutcome:
    """Record that you introduced ``a`` and ``b`` on ``day``, on both notes, as one change.

    Each note gains a ``helped`` item naming the other, a log line, and
    ``last_contact`` moved forward (a satisfied ``follow_up`` is cleared). Both
    edits are prepared under both notes' locks before either file is replaced,
    and a failure while replacing the second puts the first back (see
    ``atomic.edit_notes``). Running the same command again changes nothing.
    """
    if a.path == b.path:
        raise UsageProblem(f"both names mean {a.name} ({a.path}); an introduction needs two different people")
    if why is not None:
        try:
            why = visible_text(check_text(why, "--why text")) or None
        except ValueError as exc:
            raise VaultnetError(str(exc)) from None
    messages: list[str] = []
    skipped: list[str] = []

    def edit_for(person: Person, other: Person):
        item = f"{day.isoformat()} {helped_text(config, other, why)}"
        log_text = "intro to " + helped_text(config, other, why).removeprefix("introduced to ")
        contact = contact_edit(day, log_text, messages)

        def apply(editor) -> None:
            current = editor.fields.get("helped")
            items = current if isinstance(current, list) else [current] if current else []
            if any(isinstance(x, str) and " ".join(x.split()) == item for x in items):
                skipped.append(person.path)  # recorded already: do not add it twice
                return
            editor.append("helped", item)
            contact(editor)

        return apply

    changed = edit_notes(config.root, [(a.path, edit_for(a, b)), (b.path, edit_for(b, a))], config)
    return IntroOutcome(changed, sorted(set(messages)), already=len(skipped) == 2)


def record_intro_outcome(config: Config, a: Person, b: Person, day: date, outcome: str) -> IntroOutcome:
    """Record how the introduction of ``a`` and ``b`` turned out, on both notes, as one change.

    Each note gains a Log line ``intro outcome: [[other]]: OUTCOME`` (a contact, so
    ``last_contact`` moves forward); ``vaultnet plan`` stops asking "did the intro
    help?" once it is there. Running the same command again changes nothing.
    """
    if a.path == b.path:
        raise UsageProblem(f"both names mean {a.name} ({a.path}); an introduction needs two different people")
    outcome = clean_text(outcome, "--outcome text", "say what came of the introduction", UsageProblem)
    messages: list[str] = []
    skipped: list[str] = []

    def edit_for(person: Person, other: Person):
        text = f"intro outcome: {field_link(config, other)}: {outcome}"
        contact = contact_edit(day, text, messages)

        def apply(editor) -> None:
            if any(entry.date == day and " ".join(entry.text.split()) == text for entry in person.log):
                skipped.append(person.path)  # recorded already: do not add it twice
                return
            contact(editor)

        return apply

    changed = edit_notes(config.root, [(a.path, edit_for(a, b)), (b.path, edit_for(b, a))], config)
    return IntroOutcome(changed, sorted(set(messages)), already=len(skipped) == 2)
