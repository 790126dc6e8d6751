"""Seeded synthetic vaults for the benchmark: N people, about 1 KB of front matter and
ten log lines each, with the field mix a real network has (most people in the loose
"network" circle, some with follow-ups, needs, offers, a giving ledger, birthdays).

The same seed and size always give the same bytes, so runs on different days (or
machines) time the same work. ``write_vcards`` writes the same people as vCards,
so the benchmark can time khard's ``list`` on an equal address book.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

FIRST = (
    "Ada Alan Amara Ana Arjun Ben Bea Carla Chen Chidi Dana David Elena Emeka Eva Farah Felix Grace Hana Hugo "
    "Ines Ivan Jia Jonas Kai Kemal Lara Leo Lina Luca Maya Mei Nadia Noah Nora Omar Olga Pablo Priya Quinn "
    "Rafael Rina Sara Sven Tariq Tess Uma Victor Wen Yara Yusuf Zoe"
).split()
LAST = (
    "Abe Adeyemi Bauer Becker Chen Costa Dubois Eriksen Fischer Garcia Gupta Haddad Ito Jensen Kim Kowalski "
    "Larsen Lopez Mendes Moreau Nakamura Novak Okafor Olsen Patel Petrov Quispe Rossi Sato Schmidt Silva Singh "
    "Tanaka Torres Umar Varga Wang Weber Xu Yilmaz Zhang"
).split()
ORGS = (
    "Acme Robotics", "Blue Harbor Capital", "Cedar Health", "Delta Logistics", "Ember Studio", "Fjord Energy",
    "Granite Labs", "Helio Foods", "Iris Bank", "Juniper Schools", "Kite Analytics", "Lumen Media",
)
ROLES = ("CTO", "founder", "product manager", "designer", "investor", "engineer", "recruiter", "researcher", "sales lead", "teacher")
TOPICS = (
    "hiring a data engineer", "seed funding", "a Berlin apartment", "intro to a VC", "feedback on a deck",
    "a co-founder", "speaking slots", "Rust mentoring", "pricing advice", "a first customer in retail",
    "moving to Lisbon", "a lawyer for a term sheet", "design reviews", "beta testers", "a board member",
)
TAGS = ("friend", "alumni", "climate", "fintech", "health", "ai", "design", "investor", "founder", "speaker", "mentor")
PLACES = ("Web Summit", "a meetup", "university", "a friend's wedding", "Slush", "a hackathon", "the old job", "a conference")
DOINGS = ("coffee", "call", "lunch", "email", "video call", "met at an event", "drinks", "walk")
WORDS = (
    "talked about their fundraise and the next hires", "caught up on the family and the move",
    "they asked for an intro to a designer", "sent them the article on pricing", "discussed the product launch",
    "shared notes on hiring in Berlin", "they were happy with the new role", "planned a joint talk for spring",
)
TODAY = date(2026, 11, 23)


def _day(rng: random.Random, back: int, ahead: int = 0) -> date:
    return TODAY + timedelta(days=rng.randint(-back, ahead))


def people(count: int, seed: int = 1) -> list[dict]:
    """The synthetic people as plain dicts (the same for notes and vCards)."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {index:06d}"
        last = _day(rng, 700)
        person = {
            "name": name,
            "aliases": [name.split()[0] + " " + name.split()[1][0] + "."],
            "tags": rng.sample(TAGS, rng.randint(1, 4)),
            "org": ("[[" + rng.choice(ORGS) + "]]") if rng.random() < 0.5 else rng.choice(ORGS),
            "role": rng.choice(ROLES),
            "email": [f"{name.split()[0].lower()}.{index}@example.org"] + ([f"{index}@work.example"] if rng.random() < 0.3 else []),
            "phone": f"+49 30 {rng.randint(1000000, 9999999)}",
            "circle": rng.choices(("inner", "close", "network"), (1, 3, 12))[0],
            "last_contact": last,
            "met": last - timedelta(days=rng.randint(30, 3000)),
            "met_at": rng.choice(PLACES),
            "needs": rng.sample(TOPICS, rng.randint(0, 3)),
            "offers": rng.sample(TOPICS, rng.randint(0, 3)),
            "helped": [f"{_day(rng, 900).isoformat()} {rng.choice(WORDS)}" for _ in range(rng.randint(0, 3))],
            "received": [f"{_day(rng, 900).isoformat()} {rng.choice(WORDS)}" for _ in range(rng.randint(0, 2))],
            "location": rng.choice(("Berlin, Germany", "Lisbon, Portugal", "London, UK", "Lagos, Nigeria", "Tokyo, Japan", "Austin, USA")),
            "languages": rng.sample(("English", "German", "Portuguese", "French", "Japanese", "Yoruba"), 2),
            "summary": [rng.choice(WORDS).capitalize() + "; " + rng.choice(WORDS) + "." for _ in range(3)],
            "log": sorted((_day(rng, 900), rng.choice(DOINGS), rng.choice(WORDS)) for _ in range(10)),
        }
        if rng.random() < 0.15:
            person["cadence"] = rng.choice(("14d", "2w", "1m", "3m", "6m", "1y", "none"))
        if rng.random() < 0.1:
            person["follow_up"] = _day(rng, 30, 60)
        if rng.random() < 0.3:
            person["birthday"] = f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.2:
            person["introduced_by"] = f"[[{rng.choice(FIRST)} {rng.choice(LAST)}]]"
        out.append(person)
    return out


def _list(key: str, values: list[str]) -> str:
    if not values:
        return f"{key}: []\n"
    return f"{key}:\n" + "".join(f"  - {v}\n" for v in values)


def note_text(p: dict) -> str:
    """One person note, in the shape Obsidian's Properties write."""
    fm = [
        f"name: {p['name']}\n",
        _list("aliases", p["aliases"]),
        _list("tags", p["tags"]),
        f'org: "{p["org"]}"\n' if p["org"].startswith("[[") else f"org: {p['org']}\n",
        f"role: {p['role']}\n",
        _list("email", p["email"]),
        f'phone: "{p["phone"]}"\n',
        f"circle: {p['circle']}\n",
    ]
    if "cadence" in p:
        fm.append(f"cadence: {p['cadence']}\n")
    fm.append(f"last_contact: {p['last_contact'].isoformat()}\n")
    if "follow_up" in p:
        fm.append(f"follow_up: {p['follow_up'].isoformat()}\n")
    fm += [f"met: {p['met'].isoformat()}\n", f"met_at: {p['met_at']}\n"]
    if "introduced_by" in p:
        fm.append(f'introduced_by: "{p["introduced_by"]}"\n')
    fm += [_list("needs", p["needs"]), _list("offers", p["offers"]), _list("helped", p["helped"]), _list("received", p["received"])]
    if "birthday" in p:
        fm.append(f"birthday: {p['birthday']}\n")
    first, last, number = p["name"].split()
    fm += [
        f"linkedin: https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{number}\n",
        f"location: {p['location']}\n",
        _list("languages", p["languages"]),
        "summary: >-\n",
        *(f"  {line}\n" for line in p["summary"]),
        "source: synthetic benchmark data, seeded so that every run reads the same bytes\n",
    ]
    body = [
        f"\n# {p['name']}\n\n",
        f"{p['role'].capitalize()} at {p['org']}. Met at {p['met_at']}.\n\n",
        "## Log\n\n",
        *(f"- {d.isoformat()} {what}: {text}\n" for d, what, text in p["log"]),
    ]
    return "---\n" + "".join(fm) + "---\n" + "".join(body)


def write_vault(root: Path, count: int, seed: int = 1) -> list[Path]:
    """A vault with ``count`` people under ``root``; returns the note paths."""
    folder = root / "People"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "vaultnet.toml").write_text("# benchmark vault\n", encoding="utf-8")
    paths = []
    for p in people(count, seed):
        path = folder / f"{p['name']}.md"
        path.write_bytes(note_text(p).encode("utf-8"))
        paths.append(path)
    return paths


def write_daily(root: Path, count: int, people_count: int, seed: int = 1) -> list[Path]:
    """``count`` daily and meeting notes under ``root/Daily/YEAR/``, each linking a few of the
    first ``people_count`` people (some in a way that is no contact: an open task, a quote),
    over the three years before TODAY and a few weeks after it (plans)."""
    rng = random.Random(seed * 7 + 3)
    names = [p["name"] for p in people(people_count, seed)]
    paths = []
    for n in range(count):
        day = _day(rng, 3 * 365, 21)
        folder = root / "Daily" / str(day.year)
        folder.mkdir(parents=True, exist_ok=True)
        who = rng.sample(names, 3)
        if n % 5 == 0:
            path = folder / f"{day.isoformat()} Meeting {n}.md"
            text = (
                f"---\ndate: {day.isoformat()}\nattendees:\n  - \"[[{who[0]}]]\"\n  - \"[[{who[1]}]]\"\n---\n"
                f"# Meeting\n\nAgenda: {rng.choice(TOPICS)}.\n- [ ] send [[{who[2]}]] the notes\n"
            )
        else:
            path = folder / f"{day.isoformat()} {n}.md"
            text = (
                f"# {day.isoformat()}\n\n{rng.choice(DOINGS).capitalize()} with [[{who[0]}]]: {rng.choice(WORDS)}.\n"
                f"- called [[{who[1]}|{who[1].split()[0]}]] about {rng.choice(TOPICS)}\n"
                f"> [[{who[2]}]] wrote: thanks!\n\nNotes on the day, a few lines of them.\n"
            )
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def _vcard_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def write_vcards(folder: Path, count: int, seed: int = 1) -> None:
    """The same people as vCard 3.0 files, one per person (a vdir, as khard reads it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, p in enumerate(people(count, seed)):
        first, last, number = p["name"].split()
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"UID:bench-{index:06d}",
            f"FN:{p['name']}",
            f"N:{last};{first};{number};;",
            f"ORG:{_vcard_escape(p['org'].strip('[]'))}",
            f"TITLE:{_vcard_escape(p['role'])}",
            *(f"EMAIL;TYPE=INTERNET:{e}" for e in p["email"]),
            f"TEL;TYPE=CELL:{p['phone']}",
            f"CATEGORIES:{','.join(_vcard_escape(t) for t in p['tags'])}",
            f"NOTE:{_vcard_escape('; '.join(p['needs'] + p['offers']))}",
            "END:VCARD",
        ]
        (folder / f"bench-{index:06d}.vcf").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


if __name__ == "__main__":
    import sys

    kind, where, count, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    (write_vault if kind == "vault" else write_vcards)(where, count, seed)
    if kind == "vault" and len(sys.argv) > 5 and int(sys.argv[5]):
        write_daily(where, int(sys.argv[5]), count, seed)
