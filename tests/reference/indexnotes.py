"""The index notes' variables worked out the long way (``vaultnet.render.indexnotes`` takes
short cuts): every text escaped a character at a time with no fast path, each person's cells
escaped anew for each note, and names compared with the plain ``normalise``. Kept as the
code read before those short cuts, apart from names.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any

from vaultnet.derive import intros
from vaultnet.derive.plan import Reasons
from vaultnet.derive.schedule import FIRST_FOLLOW_UP, FOLLOW_UP, NEVER_CONTACTED, due_of, plan_days, week_end
from vaultnet.model.links import link_target, person_link, plain_text
from vaultnet.model.person import Person
from vaultnet.render import indexnotes
from vaultnet.render.indexnotes import IndexViews

from tests.reference import names

# --- escaping --------------------------------------------------------------------------

WIKILINK = re.compile(r"\[\[[^\[\]\n|]+(?:\|[^\[\]\n]*)?\]\]")
MDLINK = re.compile(r"\[[^\[\]\n]*\]\((?:https?://[^\s()<>]+|mailto:[^\s()<>]+|[^\s()<>:]+\.md)\)")
SPECIAL = set("\\`*_[]<>|$~")
UNSAFE_STEM = re.compile(r"[\[\]|#^\x00-\x1f\x7f]")
NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def escape_plain(text: str, at_start: bool) -> str:
    out = []
    previous = " " if at_start else "x"
    for ch in text:
        if ch in SPECIAL:
            out.append("\\" + ch)
        elif ch == "#" and previous.isspace():
            out.append("\\#")
        elif ch == "%" and previous == "%":
            out.append("\\%")
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


def md(text: Any, in_table: bool = False) -> str:
    if text is None:
        return ""
    text = " ".join(str(text).split())  # the long way for every text: no fast path at all
    if not text:
        return ""
    found = sorted([*WIKILINK.finditer(text), *MDLINK.finditer(text)], key=lambda m: m.start())
    kept, end = [], -1
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    pieces, position = [], 0
    for match in kept:
        pieces.append(escape_plain(text[position : match.start()], position == 0))
        link = match.group(0)
        pieces.append(link.replace("|", "\\|") if in_table else link)
        position = match.end()
    pieces.append(escape_plain(text[position:], position == 0))
    out = "".join(pieces)
    if out[:1] in "-+" or out[:1] == "=":
        out = "\\" + out
    numbered = NUMBERED.match(out)
    if numbered:
        out = numbered.group(1) + "\\" + out[len(numbered.group(1)) :]
    return out


def cell(text: Any) -> str:
    return md(text, in_table=True)


def day(value: date | None, none: str = "") -> str:
    return value.isoformat() if value else none


# --- the index notes' variables ------------------------------------


class Views:
    def __init__(self, config, people, today):
        self.config, self.people, self.today = config, people, today
        self.from_file = f"{config.index_dir.rstrip('/')}/index.md"
        self._markdown_config = dataclasses.replace(config, link_style="markdown")
        self.last_seen = {p.path: p.last_seen for p in people}
        self.dues = {p.path: due_of(p, config, today) for p in people}
        self.taken_today = sum(1 for p in people if p.last_seen == today)
        self.planned_dues = plan_days([d for d in self.dues.values() if d is not None], config, today, self.taken_today)

    def link(self, person: Person, in_table: bool = False) -> str:
        config = self.config
        if config.link_style == "wikilink" and UNSAFE_STEM.search(person.stem):
            config = self._markdown_config
        link = person_link(config, person, from_file=self.from_file, in_table=in_table)
        if config.link_style == "markdown":
            target = link[link.rindex("](") :]
            link = "[" + escape_plain(" ".join(person.name.split()), False) + target
        return link

    def next_text(self, person: Person) -> str:
        due = self.dues[person.path]
        if due is None:
            return "archived" if person.archived else "none"
        if due.reason == NEVER_CONTACTED:
            return "never contacted"
        return due.date.isoformat()

    def base(self, title: str) -> dict[str, Any]:
        return IndexViews.base(self, title)  # unchanged; it reads config, people and today only


def people(views):
    rows, tags, orgs = [], {}, {}
    for person in views.people:
        org_key = link_target(person.org)
        rows.append(
            {
                "name": person.name,
                "path": person.path,
                "link": views.link(person, in_table=True),
                "org": cell(person.org),
                "role": cell(person.role),
                "circle": cell(person.circle),
                "last_contact": day(views.last_seen[person.path], "never"),
                "next": views.next_text(person),
            }
        )
        plain_link = views.link(person)
        seen_tags = set()
        for tag in person.tags:
            key = tag.casefold()
            if key in seen_tags:
                continue
            seen_tags.add(key)
            tags.setdefault(key, (tag, []))[1].append(plain_link)
        if org_key:
            orgs.setdefault(" ".join(org_key.split()).casefold(), (person.org, []))[1].append(plain_link)
    by_tag = [{"tag": md(shown), "people": links} for _, (shown, links) in sorted(tags.items())]
    by_org = [{"org": md(shown), "people": links} for _, (shown, links) in sorted(orgs.items())]
    return {**views.base("People"), "people": rows, "by_tag": by_tag, "by_org": by_org}


def followups(views):
    today = views.today
    sunday = week_end(today)
    month = today + timedelta(days=30)
    overdue, week, later, never, unscheduled, dues = [], [], [], [], [], []
    for person in views.people:
        due = views.dues[person.path]
        if person.archived:
            continue
        if due is None:
            unscheduled.append({"name": person.name, "path": person.path, "link": views.link(person)})
        else:
            dues.append(due)
    dues.sort(key=lambda d: d.date)
    contacted = sum(p.last_seen == today for p in views.people)
    planned = {d.person.path: d.planned for d in plan_days(dues, views.config, today, contacted)}
    for due in dues:
        person = due.person
        why = "follow-up date" if due.reason == FOLLOW_UP else (f"every {due.cadence}" if due.cadence else "")
        if due.reason == FIRST_FOLLOW_UP:
            place = f" at {plain_text(person.met_at)}" if person.met_at else ""
            why = f"met {person.met.isoformat()}{place}: write and ask how you can help"
        row = {
            "name": person.name,
            "path": person.path,
            "link": views.link(person, in_table=True),
            "due": due.date.isoformat(),
            "planned": planned[person.path].isoformat(),
            "planned_when": indexnotes.relative_days((today - planned[person.path]).days),
            "when": indexnotes.relative_days(due.days_overdue(today)),
            "days_overdue": due.days_overdue(today),
            "last_contact": day(views.last_seen[person.path], "never"),
            "why": cell(why),
            "org": cell(person.org),
            "circle": cell(person.circle),
            "needs": cell("; ".join(person.needs)),
        }
        if due.reason == NEVER_CONTACTED:
            never.append(row)
        elif due.date < today:
            overdue.append(row)
        elif due.date <= sunday:
            week.append(row)
        elif due.date <= month:
            later.append(row)
    # The next 7 days of the plan, with the reasons `vaultnet plan` gives (derive.plan).
    in_line = plan_days(dues, views.config, today, contacted)
    reasons = Reasons(views.people, views.config, today)
    plan = []
    for n in range(7):
        day_ = today + timedelta(days=n)
        plan.append({
            "date": day_.isoformat(),
            "when": indexnotes.relative_days(-n),
            "people": [
                {"name": d.person.name, "path": d.person.path, "link": views.link(d.person),
                 "reasons": [md(r.text) for r in reasons.of(d)]}
                for d in in_line if d.planned == day_
            ],
        })
    return {
        **views.base("Follow-ups"),
        "plan": plan,
        "week_end": sunday.isoformat(),
        "per_day": views.config.follow_ups_per_day or "any number of",
        "month_end": month.isoformat(),
        "overdue": overdue,
        "this_week": week,
        "next_30_days": later,
        "never_contacted": never,
        "unscheduled": unscheduled,
    }


def ledger_rows(views, field):
    rows = []
    for order, person in enumerate(views.people):
        link = None
        for index, entry in enumerate(getattr(person, field)):
            link = link or views.link(person, in_table=True)
            rows.append((entry, order, index, person, link))
    rows.sort(key=lambda r: (r[0].date is None, -(r[0].date.toordinal() if r[0].date else 0), r[1], r[2]))
    return [
        {"date": day(e.date, "undated"), "name": p.name, "path": p.path, "link": link, "what": cell(e.text)}
        for e, _order, _index, p, link in rows
    ]


def giving(views):
    def latest(entries):
        dates = [e.date for e in entries if e.date]
        return max(dates).isoformat() if dates else ""

    balance = []
    for person in views.people:
        given, got = len(person.helped), len(person.received)
        if not (given or got):
            continue
        difference = given - got
        balance.append(
            {
                "name": person.name,
                "path": person.path,
                "link": views.link(person, in_table=True),
                "given": given,
                "received": got,
                "balance": f"+{difference}" if difference > 0 else ("0" if difference == 0 else f"−{-difference}"),
                "last_given": latest(person.helped),
                "last_received": latest(person.received),
            }
        )
    return {
        **views.base("Giving"),
        "helped": ledger_rows(views, "helped"),
        "received": ledger_rows(views, "received"),
        "reciprocity": balance,
        "helped_people": sum(1 for p in views.people if p.helped),
        "received_people": sum(1 for p in views.people if p.received),
    }


def needs_offers(views):
    needs, offers = [], []
    for person in views.people:
        if person.archived:
            continue
        for field, bucket in (("needs", needs), ("offers", offers)):
            items = getattr(person, field)
            if items:
                bucket.append(
                    {
                        "name": person.name,
                        "path": person.path,
                        "link": views.link(person),
                        "org": md(person.org),
                        "items": [md(item) for item in items],
                    }
                )
    return {
        **views.base("Needs and offers"),
        "needs": needs,
        "offers": offers,
        "need_count": sum(len(n["items"]) for n in needs),
        "offer_count": sum(len(o["items"]) for o in offers),
    }


def introductions(views, monkeypatch):
    """The introductions context on the reference views, escaping and ``normalise``."""
    with monkeypatch.context() as patch:
        patch.setattr(indexnotes, "md", md)
        patch.setattr(indexnotes, "cell", cell)
        patch.setattr(intros, "normalise", names.normalise)
        patch.setattr(indexnotes, "normalise", names.normalise)
        return indexnotes.introductions_context(views)
