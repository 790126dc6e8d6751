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
        "log": [entry_dict(e) for e in person.log],
        "extra": dict(person.extra),
        "due": due_dict(due_of(person, config, today), today),
    }
