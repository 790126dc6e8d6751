"""The vaultnet benchmark: whole processes on seeded synthetic vaults, against floors measured
in the same run.

    python bench/run.py                      # 1,000 and 10,000 people (a few minutes)
    python bench/run.py --large              # also 100,000 people (about half an hour)
    python bench/run.py --sizes 2000 --repeat 3

Every figure is the best of N runs of a separate process (``vaultnet --vault V --today
2026-11-23 CMD``), so start-up and imports count, as they do for a user. Each is printed
with its ratio to a floor measured in the same run on the same files: for the commands
that read the vault, a Python process that reads every note's bytes (nothing can load a
vault faster); for ``--help``, ``python -c pass`` (and ``python -c "import click"`` is
shown as well). Peak memory is each process's own maximum resident set (``wait4``).

Steps: ``--help``; ``due`` (also with ``--circle`` and ``--json``), ``plan``, ``list`` and ``match`` with a warm cache; ``build`` cold (no
cache, no outputs), again with nothing changed (it must write nothing: checked), and
after a one-line edit of one note; khard's ``list`` of the same people as vCards, when
khard is installed. A command the installed vaultnet does not have (``vaultnet --help``
does not list it) is reported as skipped.

Results: a Markdown table on stdout, and the same plus the raw numbers (JSON) in
``bench/results/`` (git-ignored). Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

TODAY = "2026-11-23"
# Targets at 10,000 people: a ratio to the read-every-note floor of the same run, or seconds
# ("--help" is held to 2x `python -c "import click"` in its own table). At 100,000 people every
# step stays under 1 GB of peak memory.
TARGETS = {"due": ("ratio", 1.5), "list": ("ratio", 1.5), "build cold": ("seconds", 4.0),
           "build no change": ("seconds", 0.5), "build one edit": ("seconds", 0.6)}
MEMORY_LIMIT_MB = 1024
READ_FLOOR = """\
import os, sys
total = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        with open(os.path.join(folder, name), "rb") as handle:
            total += len(handle.read())
print(total)
"""


@dataclass
class Measure:
    step: str
    seconds: float | None  # best of the runs (wall clock); None when skipped
    peak_mb: float | None = None
    cpu: float | None = None  # user + system CPU seconds of the best run (with its worker processes)
    runs: list[float] = field(default_factory=list)
    floor: str | None = None  # the name of the floor it is compared with
    note: str = ""


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(argv: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, int, str, float]:
    """Time one process; return (seconds, peak MB, exit status, stderr tail, CPU seconds).

    The peak comes from GNU time's ``%M`` when it is there: Linux carries a parent's
    resident size over into the maximum of a child it spawns, so the benchmark's own
    size would count otherwise (``time`` is a few hundred KB)."""
    wrapped = [TIME, "-f", "@@maxrss %M", *argv] if TIME else argv
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    peak = usage.ru_maxrss / 1024
    found = re.search(r"^@@maxrss (\d+)$", text, re.M)
    if found:
        peak = int(found.group(1)) / 1024
        text = text[: found.start()] + text[found.end() :]
    if TIME and process.returncode != 0:
        process.returncode = int(m.group(1)) if (m := re.search(r"Command exited with non-zero status (\d+)", text)) else process.returncode
    return seconds, peak, process.returncode, text[-2000:], usage.ru_utime + usage.ru_stime


STATS_ENV = {**os.environ, "VAULTNET_CACHE_STATS": "1"}


def best_of(step: str, argv: list[str], repeat: int, before=None, floor: str | None = None, env=STATS_ENV, ok=(0,)) -> Measure:
    runs, peaks, parsed, cpus = [], [], set(), []
    for _ in range(repeat):
        if before:
            before()
        seconds, peak, code, tail, cpu = run_once(argv, env=env)
        cpus.append(cpu)
        if code not in ok:
            raise SystemExit(f"{step}: {' '.join(argv)} exited {code}:\n{tail}")
        runs.append(seconds)
        peaks.append(peak)
        found = re.search(r"vaultnet cache: Stats\(notes=(\d+), reused=(\d+), parsed=(\d+)", tail)
        if found:
            parsed.add(int(found.group(3)))
    note = f"parsed {'/'.join(str(p) for p in sorted(parsed))}" if parsed else ""
    best = runs.index(min(runs))
    return Measure(step, runs[best], max(peaks), cpus[best], runs, floor, note)


def available_commands(vaultnet: str) -> set[str]:
    out = subprocess.run([vaultnet, "--help"], capture_output=True, text=True, check=True).stdout
    commands, inside = set(), False
    for line in out.splitlines():
        if line.strip() == "Commands:":
            inside = True
            continue
        if inside and line.startswith("  ") and line.strip():
            commands.add(line.split()[0])
    return commands


def outputs_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file the tool may write (all but the notes), with its mtime and inode."""
    state = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith("People/"):
            st = path.stat()
            state[rel] = (st.st_mtime_ns, st.st_ino)
    return state


def clean_outputs(root: Path) -> None:
    """Back to a cold vault: no cache, no generated files (the notes, daily notes included, stay)."""
    for name in (".vaultnet", "Index", "followups.ics"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def bench_size(count: int, args, work: Path, commands: set[str]) -> list[Measure]:
    vaultnet, python, repeat = args.vaultnet, args.python, args.repeat
    slow_repeat = max(1, repeat // 2) if count <= 10_000 else 1
    if count > 10_000:
        repeat = min(repeat, 2)  # 100,000 people: each run takes seconds to minutes
    vault = work / (f"vault-{count}-daily-{args.daily}" if args.daily else f"vault-{count}")
    print(f"\n## {count:,} people" + (f" and {args.daily:,} daily notes" if args.daily else ""), file=sys.stderr)
    start = time.perf_counter()
    # In a separate process, so that this one stays small (see run_once).
    subprocess.run([python, str(HERE / "generate.py"), "vault", str(vault), str(count), str(args.seed), str(args.daily)], check=True)
    paths = sorted((vault / "People").glob("*.md"))
    size = sum(p.stat().st_size for p in paths)
    print(f"generated {count:,} notes ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    # A note changed within the cache's racy window (2 s) is parsed again on the next run;
    # a real vault's notes are older than that, so let the fresh ones settle first.
    time.sleep(2.5)
    base = [vaultnet, "--vault", str(vault), "--today", TODAY]
    results: list[Measure] = []

    def add(measure: Measure) -> None:
        results.append(measure)
        shown = "skipped" if measure.seconds is None else f"{measure.seconds:.3f} s (cpu {measure.cpu:.3f}), {measure.peak_mb:.0f} MB"
        print(f"  {measure.step:<18} {shown} {measure.note}", file=sys.stderr)

    add(best_of("floor: read bytes", [python, "-c", READ_FLOOR, str(vault / "People")], repeat))

    # build: cold, no change, one edit
    if "build" in commands:
        add(best_of("build cold", [*base, "build"], slow_repeat, before=lambda: clean_outputs(vault), floor="floor: read bytes"))
        before = outputs_state(vault)
        measure = best_of("build no change", [*base, "build"], repeat, floor="floor: read bytes")
        after = outputs_state(vault)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        measure.note += "; wrote nothing" if not changed else f"; WROTE {', '.join(changed[:5])}"
        add(measure)
        edits = iter(range(10**6))

        def edit_one() -> None:
            n = next(edits)
            path = paths[(n * 7919) % len(paths)]
            with open(path, "ab") as handle:
                handle.write(f"- 2026-11-2{n % 3} call: benchmark edit {n}\n".encode())

        add(best_of("build one edit", [*base, "build"], repeat, before=edit_one, floor="floor: read bytes"))
    else:
        for step in ("build cold", "build no change", "build one edit"):
            add(Measure(step, None, note="skipped: this vaultnet has no `build` command"))
        # warm the cache for the read commands
        run_once([*base, "list"])

    time.sleep(2.5)  # let the notes edited above leave the cache's racy window: the reads below are warm
    steps = (
        ("due", [*base, "due"]),
        ("due --circle", [*base, "due", "--circle", "close"]),
        ("due --json", [*base, "due", "--json"]),
        ("plan", [*base, "plan"]),
        ("list", [*base, "list"]),
        ("match", [*base, "match"]),
    )
    for step, argv in steps:
        command = argv[len(base)]
        if command not in commands:
            add(Measure(step, None, note=f"skipped: this vaultnet has no `{command}` command"))
            continue
        run_once(argv)  # warm
        add(best_of(step, argv, repeat, floor="floor: read bytes", ok=(0, 1)))

    khard = shutil.which("khard") or (str(Path(python).parent / "khard") if (Path(python).parent / "khard").exists() else None)
    if khard and not args.no_khard and (count <= 10_000 or args.large):
        cards = work / f"vcards-{count}"
        subprocess.run([python, str(HERE / "generate.py"), "vcards", str(cards), str(count), str(args.seed)], check=True)
        config = work / f"khard-{count}.conf"
        config.write_text(
            f"[addressbooks]\n[[bench]]\npath = {cards}\n\n[general]\ndefault_action = list\neditor = true\nmerge_editor = true\n",
            encoding="utf-8",
        )
        add(best_of("khard list", [khard, "-c", str(config), "list"], 1 if count > 10_000 else slow_repeat, floor="floor: read bytes"))
    else:
        add(Measure("khard list", None, note="skipped: khard not installed" if not khard else "skipped"))
    if not args.keep:
        shutil.rmtree(vault, ignore_errors=True)
        shutil.rmtree(work / f"vcards-{count}", ignore_errors=True)
    return results


def bench_startup(args) -> list[Measure]:
    python, repeat = args.python, max(args.repeat * 3, 10)
    print("\n## start-up", file=sys.stderr)
    out = [
        best_of("python -c pass", [python, "-c", "pass"], repeat),
        best_of("import click", [python, "-c", "import click"], repeat, floor="python -c pass"),
        best_of("vaultnet --help", [args.vaultnet, "--help"], repeat, floor="python -c pass"),
    ]
    for m in out:
        print(f"  {m.step:<18} {m.seconds:.3f} s, {m.peak_mb:.0f} MB", file=sys.stderr)
    return out


def markdown(startup: list[Measure], by_size: dict[int, list[Measure]], command: str) -> str:
    lines = [f"Command: `{command}`  ", f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}", ""]
    floors = {m.step: m.seconds for m in startup}
    click_s = floors["import click"]
    click_cpu = next(m.cpu for m in startup if m.step == "import click")
    lines += ["| start-up | best s | × `python -c pass` | × `import click` | cpu s (× import click) | peak MB | target |", "|---|---:|---:|---:|---:|---:|---|"]
    for m in startup:
        target = ""
        if m.step == "vaultnet --help":
            target = f"≤ 2× import click: {'met' if m.seconds <= 2 * click_s else 'MISSED'} (wall), {'met' if m.cpu <= 2 * click_cpu else 'MISSED'} (cpu)"
        lines.append(
            f"| {m.step} | {m.seconds:.3f} | {m.seconds / floors['python -c pass']:.1f} | {m.seconds / click_s:.2f} | {m.cpu:.3f} (×{m.cpu / click_cpu:.2f}) | {m.peak_mb:.0f} | {target} |"
        )
    sizes = sorted(by_size)
    lines += ["", "| step | " + " | ".join(f"{n:,} people: s (× floor) [cpu s], MB" for n in sizes) + " | target at 10,000 |", "|---|" + "---:|" * len(sizes) + "---|"]
    steps = [m.step for m in by_size[sizes[0]]]
    for step in steps:
        cells = []
        for n in sizes:
            m = next(x for x in by_size[n] if x.step == step)
            if m.seconds is None:
                cells.append(m.note or "skipped")
                continue
            floor = next((x.seconds for x in by_size[n] if x.step == m.floor), None)
            ratio = f" (×{m.seconds / floor:.1f})" if floor else ""
            extra = f" {m.note}" if m.note else ""
            cells.append(f"{m.seconds:.3f}{ratio} [cpu {m.cpu:.2f}], {m.peak_mb:.0f}{extra}")
        target = ""
        if step in TARGETS and 10_000 in by_size:
            m = next(x for x in by_size[10_000] if x.step == step)
            floor = next((x.seconds for x in by_size[10_000] if x.step == m.floor), None)
            kind, limit = TARGETS[step]
            if m.seconds is not None and kind == "seconds":
                target = f"≤ {limit} s: {'met' if m.seconds <= limit else 'MISSED by ' + format(m.seconds - limit, '.2f') + ' s'}"
            elif m.seconds is not None and floor:
                ratio = m.seconds / floor
                target = f"≤ {limit}× floor: {'met' if ratio <= limit else 'MISSED'} (×{ratio:.2f})"
        big = [n for n in sizes if n >= 100_000]
        if big:
            m = next(x for x in by_size[big[-1]] if x.step == step)
            if m.seconds is not None and m.peak_mb:
                target += f"{'; ' if target else ''}{big[-1]:,}: {m.peak_mb:.0f} MB {'<' if m.peak_mb < MEMORY_LIMIT_MB else '≥'} 1 GB"
        if step in ("due", "list") and 10_000 in by_size:
            k = next((x for x in by_size[10_000] if x.step == "khard list"), None)
            m = next(x for x in by_size[10_000] if x.step == step)
            if k and k.seconds and m.seconds:
                target += f"; {k.seconds / m.seconds:.0f}× faster than khard (≥ 15×)"
        lines.append(f"| {step} | " + " | ".join(cells) + f" | {target} |")
    if len(sizes) > 1:
        lines += ["", "Growth: seconds per 1,000 people at each size (equal figures mean linear growth; start-up", "weighs on the small sizes), and the factor from the smallest to the largest size against the", "factor in people:", ""]
        factor = sizes[-1] / sizes[0]
        lines += ["| step | " + " | ".join(f"{n:,}" for n in sizes) + f" | time × (people × {factor:g}) |", "|---|" + "---:|" * (len(sizes) + 1)]
        for step in steps:
            ms = [next(x for x in by_size[n] if x.step == step) for n in sizes]
            if any(m.seconds is None for m in ms):
                continue
            per = [m.seconds / n * 1000 for m, n in zip(ms, sizes)]
            lines.append(f"| {step} | " + " | ".join(f"{p:.3f}" for p in per) + f" | {ms[-1].seconds / ms[0].seconds:.1f} |")
    return "\n".join(lines) + "\n"


def compile_package(python: str) -> None:
    """Compile vaultnet's modules to bytecode, as pip does when it installs the wheel.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (or a source tree
    edited since its last run) would otherwise compile every module from source on
    every run: 20 to 40 ms that no installed copy pays. Third-party packages were
    compiled by pip."""
    folder = subprocess.run([python, "-c", "import os, vaultnet; print(os.path.dirname(vaultnet.__file__))"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", folder], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of people (default 1000,10000)")
    parser.add_argument("--large", action="store_true", help="also 100,000 people")
    parser.add_argument("--repeat", type=int, default=5, help="runs per step; the best counts (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vaultnet", default=str(Path(sys.executable).parent / "vaultnet"), help="the vaultnet executable")
    parser.add_argument("--python", default=sys.executable, help="the Python for the floors (default: this one)")
    parser.add_argument("--work", help="where to generate the vaults (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated vaults")
    parser.add_argument("--no-khard", action="store_true", help="do not time khard")
    parser.add_argument("--daily", type=int, default=0, help="also write this many daily and meeting notes linking people (e.g. 20000)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.large and 100_000 not in sizes:
        sizes.append(100_000)
    compile_package(args.python)
    commands = available_commands(args.vaultnet)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="vaultnet-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    command = "python bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])
    try:
        startup = bench_startup(args)
        by_size = {n: bench_size(n, args, work, commands) for n in sizes}
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    table = markdown(startup, by_size, command)
    print(table)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"{stamp}.md").write_text(table, encoding="utf-8")
    raw = {"command": command, "startup": [asdict(m) for m in startup], "sizes": {n: [asdict(m) for m in ms] for n, ms in by_size.items()}}
    (results / f"{stamp}.json").write_text(json.dumps(raw, indent=2), encoding="utf-8")
    print(f"(written to bench/results/{stamp}.md and .json)", file=sys.stderr)


if __name__ == "__main__":
    main()
