"""Plain-data views of records, shared by ``--json`` output and the renderers."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..model.config import Config
from ..model.links import link_target
from ..model.person import Entry, Person
from .schedule import Due, cadence_of, due_of


def entry_dict(entry: Entry) -> dict[str, Any]:
    return {"date": entry.date, "text": entry.text}


def due_dict(due: Due | None, today: date) -> dict[str, Any] | None:
    if due is None:
        return None
    return {
        "date": due.date,
        "days_overdue": due.days_overdue(today),
        "reason": due.reason,
        "cadence": due.cadence,
        "since": due.since,
    }


def in_archive_folder(person: Person, config: Config) -> bool:
    """Whether the person's note is in the people folder's ``Archive/`` (archived by where it is)."""
    from ..load.vault import archive_folder

    return person.path.casefold().startswith(archive_folder(config))


def archived_text(person: Person, config: Config) -> str:
    """``archived since 2026-11-20``; ``archived`` for ``archived: true``, and for a note in the
    people folder's ``Archive/`` the folder it is in."""
    if person.archived is True and in_archive_folder(person, config):
        folder = person.path.rsplit("/", 1)[0]
        return f"archived: the note is in {folder}/"
    return f"archived since {person.archived.isoformat()}" if person.archived is not True else "archived"


def person_dict(person: Person, config: Config, today: date) -> dict[str, Any]:
    """Everything vaultnet knows of a person, as JSON-ready values."""
    return {
        "name": person.name,
        "path": person.path,
        "aliases": list(person.aliases),
        "tags": list(person.tags),
        "org": person.org,
        "role": person.role,
        "email": list(person.emails),
        "phone": list(person.phones),
        "circle": person.circle,
        "cadence": cadence_of(person, config),
        "last_contact": person.last_seen,
        "follow_up": person.follow_up,
        "met": person.met,
        "met_at": person.met_at,
        "introduced_by": link_target(person.introduced_by),
        "needs": list(person.needs),
        "offers": list(person.offers),
        "helped": [entry_dict(e) for e in person.helped],
        "received": [entry_dict(e) for e in person.received],
        "birthday": str(person.birthday) if person.birthday else None,
        "archived": person.archived,
        "log": [entry_dict(e) for e in person.log],
        "extra": dict(person.extra),
        "due": due_dict(due_of(person, config, today), today),
    }
