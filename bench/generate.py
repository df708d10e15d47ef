"""Synthetic news articles for the ingest and search benchmarks.

  python bench/generate.py 10000 bench/out/gen10k              # OUTDIR/000/000000.txt ... 1000 files a folder
  python bench/generate.py 10000 --jsonl bench/out/gen10k.jsonl # one JSON record per line instead
  python bench/generate.py 1000 bench/out/extra --seed 7 --start 500000

Each text file uses the seed layout of sample_data/: outlet line, blank, Gregorian date line (weekday
correct), sometimes a Hijri date line (Umm al-Qura, correct for the date), blank, headline, blank, body
paragraphs, the first opening with a dateline ("ISLAMABAD, Nov 23 (CNA): ..."). Bodies (~2 KB) are built
from word lists, country names / demonyms / capitals and "Title Name" officials (real ones and invented
ones), plus quoted analysts, so that date parsing and entity extraction have realistic work to do.

The output depends only on N, --seed and --start: every block of 1000 articles has its own random
generator, so --procs does not change a byte. A hidden OUTDIR/.generated.json (skipped by newscli's
folder walk) records the parameters once the corpus is complete.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from newscli.parse.hijri import NAMES

BLOCK = 1000  # files per subfolder, articles per generator
FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2026, 12, 31)

# (outlet, agency abbreviation used in datelines, web domain)
OUTLETS = [
    ("The Indus Chronicle", "TIC", "induschronicle.example"),
    ("Crescent News Agency", "CNA", "crescentnews.example"),
    ("Meridian Times", "MT", "meridiantimes.example"),
    ("Gulf Morning Herald", "GMH", "gulfmorningherald.example"),
    ("Continental Wire Service", "CWS", "continentalwire.example"),
    ("The Northern Ledger", "NL", "northernledger.example"),
    ("Capital Observer", "CO", "capitalobserver.example"),
    ("Silk Road Dispatch", "SRD", "silkroaddispatch.example"),
    ("Monsoon Post", "MP", "monsoonpost.example"),
    ("The Atlantic Courier", "TAC", "atlanticcourier.example"),
    ("Sahel Daily News", "SDN", "saheldaily.example"),
]

# (code, name, demonym, capital)
COUNTRIES = [
    ("PK", "Pakistan", "Pakistani", "Islamabad"),
    ("IN", "India", "Indian", "New Delhi"),
    ("CN", "China", "Chinese", "Beijing"),
    ("US", "the United States", "American", "Washington"),
    ("RU", "Russia", "Russian", "Moscow"),
    ("AF", "Afghanistan", "Afghan", "Kabul"),
    ("IR", "Iran", "Iranian", "Tehran"),
    ("SA", "Saudi Arabia", "Saudi", "Riyadh"),
    ("AE", "the United Arab Emirates", "Emirati", "Abu Dhabi"),
    ("QA", "Qatar", "Qatari", "Doha"),
    ("TR", "Turkey", "Turkish", "Ankara"),
    ("GB", "Britain", "British", "London"),
    ("FR", "France", "French", "Paris"),
    ("DE", "Germany", "German", "Berlin"),
    ("JP", "Japan", "Japanese", "Tokyo"),
    ("KR", "South Korea", "South Korean", "Seoul"),
    ("BD", "Bangladesh", "Bangladeshi", "Dhaka"),
    ("LK", "Sri Lanka", "Sri Lankan", "Colombo"),
    ("NP", "Nepal", "Nepali", "Kathmandu"),
    ("EG", "Egypt", "Egyptian", "Cairo"),
    ("JO", "Jordan", "Jordanian", "Amman"),
    ("IQ", "Iraq", "Iraqi", "Baghdad"),
    ("UA", "Ukraine", "Ukrainian", "Kyiv"),
    ("PL", "Poland", "Polish", "Warsaw"),
    ("BR", "Brazil", "Brazilian", "Brasilia"),
    ("AR", "Argentina", "Argentine", "Buenos Aires"),
    ("MX", "Mexico", "Mexican", "Mexico City"),
    ("CA", "Canada", "Canadian", "Ottawa"),
    ("AU", "Australia", "Australian", "Canberra"),
    ("ID", "Indonesia", "Indonesian", "Jakarta"),
    ("MY", "Malaysia", "Malaysian", "Kuala Lumpur"),
    ("TH", "Thailand", "Thai", "Bangkok"),
    ("VN", "Vietnam", "Vietnamese", "Hanoi"),
    ("PH", "the Philippines", "Filipino", "Manila"),
    ("NG", "Nigeria", "Nigerian", "Abuja"),
    ("KE", "Kenya", "Kenyan", "Nairobi"),
    ("ET", "Ethiopia", "Ethiopian", "Addis Ababa"),
    ("ZA", "South Africa", "South African", "Pretoria"),
    ("UZ", "Uzbekistan", "Uzbek", "Tashkent"),
    ("KZ", "Kazakhstan", "Kazakh", "Astana"),
    ("AZ", "Azerbaijan", "Azerbaijani", "Baku"),
    ("IT", "Italy", "Italian", "Rome"),
    ("ES", "Spain", "Spanish", "Madrid"),
    ("NL", "the Netherlands", "Dutch", "The Hague"),
    ("SE", "Sweden", "Swedish", "Stockholm"),
    ("NO", "Norway", "Norwegian", "Oslo"),
    ("IL", "Israel", "Israeli", "Jerusalem"),
    ("LB", "Lebanon", "Lebanese", "Beirut"),
    ("SY", "Syria", "Syrian", "Damascus"),
    ("OM", "Oman", "Omani", "Muscat"),
    ("KW", "Kuwait", "Kuwaiti", "Kuwait City"),
    ("MA", "Morocco", "Moroccan", "Rabat"),
    ("DZ", "Algeria", "Algerian", "Algiers"),
    ("SN", "Senegal", "Senegalese", "Dakar"),
    ("GH", "Ghana", "Ghanaian", "Accra"),
    ("CL", "Chile", "Chilean", "Santiago"),
    ("CO", "Colombia", "Colombian", "Bogota"),
    ("PE", "Peru", "Peruvian", "Lima"),
    ("MM", "Myanmar", "Myanmar", "Naypyitaw"),
    ("SG", "Singapore", "Singaporean", "Singapore"),
]

# Real office-holders, as "Title Name" (the extractor knows many of them).
KNOWN_OFFICIALS = [
    ("Foreign Minister", "Ishaq Dar", "PK"),
    ("Prime Minister", "Shehbaz Sharif", "PK"),
    ("President", "Asif Ali Zardari", "PK"),
    ("Prime Minister", "Imran Khan", "PK"),
    ("Foreign Minister", "Shah Mahmood Qureshi", "PK"),
    ("Gen", "Asim Munir", "PK"),
    ("President", "Xi Jinping", "CN"),
    ("Foreign Minister", "Wang Yi", "CN"),
    ("Premier", "Li Qiang", "CN"),
    ("Prime Minister", "Narendra Modi", "IN"),
    ("External Affairs Minister", "S. Jaishankar", "IN"),
    ("President", "Vladimir Putin", "RU"),
    ("Foreign Minister", "Sergey Lavrov", "RU"),
    ("President", "Joe Biden", "US"),
    ("President", "Donald Trump", "US"),
    ("Secretary of State", "Antony Blinken", "US"),
    ("Secretary of State", "Marco Rubio", "US"),
    ("President", "Recep Tayyip Erdogan", "TR"),
    ("President", "Emmanuel Macron", "FR"),
    ("Chancellor", "Olaf Scholz", "DE"),
    ("Crown Prince", "Mohammed bin Salman", "SA"),
    ("President", "Volodymyr Zelenskyy", "UA"),
    ("Foreign Minister", "Abbas Araghchi", "IR"),
    ("President", "Masoud Pezeshkian", "IR"),
    ("Prime Minister", "Anthony Albanese", "AU"),
    ("President", "Luiz Inacio Lula da Silva", "BR"),
    ("President", "William Ruto", "KE"),
    ("President", "Prabowo Subianto", "ID"),
    ("Chief Adviser", "Muhammad Yunus", "BD"),
    ("President", "Javier Milei", "AR"),
    ("Emir", "Tamim bin Hamad Al Thani", "QA"),
    ("Prime Minister", "Keir Starmer", "GB"),
]

TITLES = [
    "Foreign Minister",
    "Finance Minister",
    "Interior Minister",
    "Defence Minister",
    "Trade Minister",
    "Energy Minister",
    "Health Minister",
    "Prime Minister",
    "President",
    "Deputy Prime Minister",
    "Ambassador",
    "Governor",
    "Information Minister",
    "Planning Minister",
    "Commerce Minister",
]
FIRST = """Ahmed Farah Bilal Nadia Omar Sara Tariq Leila Hamid Mariam Rashid Aisha Karim Zainab Javier
Elena Pieter Ingrid Kwame Amina Tomasz Olga Hiroshi Mei Arjun Priya Mateo Lucia Dmitri Anya Yusuf Fatima
Chen Ana Samuel Grace Nikolai Ravi Selin Emre Khalid Noor Daniel Irina""".split()
LAST = """Qadri Hussain Malik Rahman Chaudhry Haddad Nasser Karimi Soto Varga Novak Mensah Okafor Kowalski
Petrov Tanaka Wong Sharma Iyer Alvarez Costa Volkov Demir Yilmaz Siddiqui Baig Aziz Mirza Lindqvist
Jansen Abebe Kamau Nguyen Santos Moreau Weber Rossi Park Suzuki Osei Diallo""".split()
ROLES = [
    "a foreign policy analyst",
    "an economist at a research institute",
    "a former diplomat",
    "a political scientist",
    "a senior researcher",
    "a trade analyst",
    "a security analyst",
    "a professor of international relations",
    "a shopkeeper",
    "a local journalist",
]

TOPICS = [
    "trade",
    "energy cooperation",
    "border security",
    "climate finance",
    "debt relief",
    "water sharing",
    "counter-terrorism",
    "refugee returns",
    "port development",
    "visa rules",
    "grain exports",
    "fisheries",
    "rail links",
    "power transmission",
    "digital payments",
    "public health",
    "election monitoring",
    "tariffs",
    "investment protection",
    "nuclear safety",
    "maritime security",
    "pipeline construction",
    "tourism",
    "student exchanges",
    "airline routes",
]
ACTIONS = [
    "expand",
    "review",
    "resume talks on",
    "sign a memorandum on",
    "set up a joint committee on",
    "speed up work on",
    "revive",
    "deepen cooperation on",
    "finalise an agreement on",
    "open negotiations on",
]
LEAD_TAILS = [
    "a move both sides described as overdue",
    "ending months of delay",
    "after two days of talks",
    "in a step welcomed by business groups",
]
NOUNS = [
    "roadmap",
    "framework",
    "deal",
    "package",
    "accord",
    "plan",
    "pact",
    "initiative",
    "protocol",
]
VERBS_SAID = [
    "said",
    "told reporters",
    "said in a statement",
    "told parliament",
    "wrote on social media",
    "said at a news conference",
    "told a gathering of business leaders",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS_DL = [
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]
HIJRI_MONTHS = list(NAMES)  # newscli's own spelling list
FILLER = [
    "Officials said the details would be worked out by technical teams over the coming weeks.",
    "The talks covered a wide range of issues, according to people familiar with the discussions.",
    "Critics said the government had promised similar measures before without delivering them.",
    "Markets reacted calmly to the announcement, with the currency little changed in afternoon trading.",
    "The opposition said it would raise the matter in parliament when the session resumes next week.",
    "A joint statement issued after the meeting described the atmosphere as cordial and constructive.",
    "Business groups welcomed the move but asked for clearer rules on taxes and licences.",
    "The ministry did not respond to a request for comment on the timetable.",
    "Similar agreements signed in recent years have been slow to take effect because of funding gaps.",
    "Both sides agreed to meet again before the end of the year to review progress.",
    "The announcement came days after a cabinet meeting chaired by the prime minister.",
    "Analysts said the real test would be whether the money actually arrives on time.",
    "Provincial officials said they had not yet been consulted on the plan.",
    "The foreign ministry spokesperson said the visit reflected a long-standing friendship.",
]

_HIJRI: dict[date, tuple[int, int, int]] | None = None


def _hijri_table() -> dict[date, tuple[int, int, int]]:
    """Umm al-Qura date for every day of the range (hijridate); empty if hijridate is not installed."""
    global _HIJRI
    if _HIJRI is None:
        _HIJRI = {}
        try:
            from hijridate import Gregorian
        except ImportError:
            return _HIJRI
        d = FIRST_DAY
        while d <= LAST_DAY:
            h = Gregorian(d.year, d.month, d.day).to_hijri()
            _HIJRI[d] = (h.year, h.month, h.day)
            d += timedelta(days=1)
    return _HIJRI


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


KNOWN_BY_COUNTRY: dict[str, list[tuple[str, str]]] = {}
for _t, _n, _c in KNOWN_OFFICIALS:
    KNOWN_BY_COUNTRY.setdefault(_c, []).append((_t, _n))


def _official(rng: random.Random, country: tuple[str, str, str, str]) -> tuple[str, str]:
    """('Foreign Minister Ishaq Dar', 'Dar'): a real office-holder of that country, or an invented one."""
    known = KNOWN_BY_COUNTRY.get(country[0])
    if known and rng.random() < 0.6:
        title, name = rng.choice(known)
    else:
        title, name = rng.choice(TITLES), _person(rng)
    return f"{title} {name}", name.split()[-1]


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _sentence(
    k: int, rng: random.Random, c1: tuple, c2: tuple, officials: list[tuple[str, str]]
) -> str:
    topic = rng.choice(TOPICS)
    full, short = rng.choice(officials)
    if k == 0:
        return (
            f"{_cap(c1[2])} and {c2[2]} officials held a second round of talks on {topic} in "
            f"{rng.choice((c1, c2))[3]}, the {rng.choice(('foreign', 'finance', 'trade'))} ministry said."
        )
    if k == 1:
        return (
            f'"We are not looking for a single {rng.choice(NOUNS)} but for a lasting arrangement on {topic}," '
            f"{short} {rng.choice(VERBS_SAID)}."
        )
    if k == 2:
        return (
            f"{full} is expected to travel to {c2[3]} next month to {rng.choice(ACTIONS)} {topic} "
            f"with {c2[1]}."
        )
    if k == 3:
        p = _person(rng)
        return (
            f"{p}, {rng.choice(ROLES)}, said the {rng.choice(NOUNS)} made sense on paper. "
            f'"The question is whether {c1[1]} can pay for it," {p.split()[-1]} said.'
        )
    if k == 4:
        c3 = rng.choice(COUNTRIES)
        return (
            f"Relations between {c1[1]} and {c3[1]} have improved since {rng.randrange(2012, 2024)}, "
            f"when the two sides agreed to {rng.choice(ACTIONS)} {rng.choice(TOPICS)}."
        )
    if k == 5:
        return (
            f"{_cap(c2[2])} media quoted {full} as saying that {c1[1]} remained an important partner "
            f"on {topic} and {rng.choice(TOPICS)}."
        )
    if k == 6:
        n = rng.randrange(2, 40)
        return (
            f"Trade between the two countries reached {n}.{rng.randrange(10)} billion dollars last year, "
            f"according to {c1[2]} figures, and both sides want to double it within {rng.randrange(3, 8)} years."
        )
    if k == 7:
        return f"Mr {short} also met {_official(rng, c2)[0]} on the sidelines of the meeting."
    return rng.choice(FILLER)


N_SENTENCES = 9  # kinds of sentence in _sentence; FILLER is one kind


def _headline(rng: random.Random, c1: tuple, c2: tuple, off: str) -> str:
    topic = rng.choice(TOPICS)
    k = rng.randrange(5)
    if k == 0:
        return f"{_cap(c1[1])} and {c2[1]} agree {rng.choice(NOUNS)} on {topic}"
    if k == 1:
        return f"{off} visits {c2[3]} for talks on {topic}"
    if k == 2:
        return f"{_cap(c1[2])} cabinet approves {topic} {rng.choice(NOUNS)} with {c2[1]}"
    if k == 3:
        return f"{_cap(c2[1])} to {rng.choice(ACTIONS)} {topic} with {c1[1]}, minister says"
    other = rng.choice(TOPICS)
    while other == topic:
        other = rng.choice(TOPICS)
    return f"{_cap(c1[2])}, {c2[2]} leaders discuss {topic} and {other}"


def make_article(rng: random.Random, hijri: dict[date, tuple[int, int, int]]) -> dict[str, object]:
    outlet, abbr, domain = rng.choice(OUTLETS)
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    c1 = rng.choice(COUNTRIES)
    c2 = rng.choice(COUNTRIES)
    while c2 is c1:
        c2 = rng.choice(COUNTRIES)
    officials = [_official(rng, rng.choice((c1, c1, c2))) for _ in range(rng.randrange(1, 4))]
    lead_full, _ = officials[0]
    headline = _headline(rng, c1, c2, lead_full)
    place = rng.choice((c1, c1, c2))[3]
    lead = (
        f"{place.upper()}, {MONTHS_DL[day.month - 1]} {day.day} ({abbr}): {lead_full} said on "
        f"{WEEKDAYS[day.weekday()]} that {c1[1]} and {c2[1]} had agreed to {rng.choice(ACTIONS)} "
        f"{rng.choice(TOPICS)}, {rng.choice(LEAD_TAILS)}."
    )
    paras = [lead]
    target = min(max(int(rng.gauss(2000, 350)), 900), 4000)
    size = len(lead) + len(headline) + 60
    kinds: list[int] = []
    while size < target:
        para_kinds = []
        for _ in range(rng.randrange(2, 5)):
            if not kinds:  # every kind once before any repeats, in a fresh order
                kinds = list(range(N_SENTENCES)) + [N_SENTENCES - 1] * 2
                rng.shuffle(kinds)
            para_kinds.append(kinds.pop())
        para = " ".join(_sentence(k, rng, c1, c2, officials) for k in para_kinds)
        paras.append(para)
        size += len(para) + 2
    hijri_line = None
    h = hijri.get(day)
    if h and rng.random() < 0.4:
        y, m, d = h
        hijri_line = (
            f"{d} {HIJRI_MONTHS[m - 1]} {y}"
            if rng.random() < 0.6
            else f"{HIJRI_MONTHS[m - 1]} {d}, {y} AH"
        )
    return {
        "outlet": outlet,
        "domain": domain,
        "day": day,
        "dateline_style": rng.random(),
        "hijri": hijri_line,
        "title": headline,
        "paras": paras,
    }


def date_line(day: date, k: float) -> str:
    if k < 0.75:
        return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month - 1]} {day.day}, {day.year}"
    if k < 0.9:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def as_text(a: dict[str, object]) -> str:
    head = [str(a["outlet"]), "", date_line(a["day"], a["dateline_style"])]  # type: ignore[arg-type]
    if a["hijri"]:
        head.append(str(a["hijri"]))
    return "\n".join([*head, "", str(a["title"]), "", "\n\n".join(a["paras"])]) + "\n"  # type: ignore[arg-type]


def as_record(a: dict[str, object], number: int) -> dict[str, str]:
    day: date = a["day"]  # type: ignore[assignment]
    slug = "-".join(str(a["title"]).lower().replace(",", "").split()[:8])
    rec = {
        "title": str(a["title"]),
        "body": "\n\n".join(a["paras"]),  # type: ignore[arg-type]
        "source": str(a["outlet"]),
        "published": day.isoformat(),
        "url": f"https://{a['domain']}/{day:%Y/%m/%d}/{slug}-{number}",
    }
    if a["hijri"]:
        rec["hijri"] = str(a["hijri"])
    return rec


def _block(args: tuple[int, int, int, int, str | None]) -> tuple[int, int, str]:
    """Articles [lo, hi) of one block, drawn from the block's own generator; article i is the same
    whatever --start and --procs were (a block's earlier articles are drawn and dropped)."""
    seed, block, lo, hi, outdir = args
    hijri = _hijri_table()
    rng = random.Random(f"newscli-bench:{seed}:{block}")
    for _ in range(block * BLOCK, lo):
        make_article(rng, hijri)
    lines: list[str] = []
    nbytes = 0
    if outdir:
        folder = Path(outdir) / f"{block:03d}"
        folder.mkdir(parents=True, exist_ok=True)
    for i in range(lo, hi):
        a = make_article(rng, hijri)
        if outdir:
            data = as_text(a).encode("utf-8")
            (folder / f"{i:06d}.txt").write_bytes(data)
            nbytes += len(data)
        else:
            line = json.dumps(as_record(a, i), ensure_ascii=False) + "\n"
            lines.append(line)
            nbytes += len(line.encode("utf-8"))
    return hi - lo, nbytes, "".join(lines)


def generate(
    n: int, outdir: str | None, jsonl: str | None, seed: int, start: int, procs: int
) -> tuple[int, int]:
    """Articles numbered start..start+n-1; article i belongs to block i // 1000 (folder NNN)."""
    jobs = []
    i = start
    while i < start + n:
        block = i // BLOCK
        hi = min((block + 1) * BLOCK, start + n)
        jobs.append((seed, block, i, hi, outdir))
        i = hi
    total = nbytes = 0
    out = open(jsonl, "w", encoding="utf-8") if jsonl else None  # noqa: SIM115
    try:
        if procs > 1 and len(jobs) > 1:
            with ProcessPoolExecutor(min(procs, len(jobs))) as pool:
                results = list(pool.map(_block, jobs)) if not out else pool.map(_block, jobs)
                for cnt, b, text in results:
                    total, nbytes = total + cnt, nbytes + b
                    if out:
                        out.write(text)
        else:
            for job in jobs:
                cnt, b, text = _block(job)
                total, nbytes = total + cnt, nbytes + b
                if out:
                    out.write(text)
    finally:
        if out:
            out.close()
    return total, nbytes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("outdir", nargs="?", help="folder for the text files (OUTDIR/NNN/NNNNNN.txt)")
    ap.add_argument(
        "--jsonl", metavar="FILE", help="write one JSON record per line to FILE instead"
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument(
        "--start",
        type=int,
        default=0,
        help="number of the first article (default 0); article i is the same for any --start",
    )
    ap.add_argument(
        "--procs",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="worker processes (default: CPUs, at most 4); the output does not depend on it",
    )
    args = ap.parse_args(argv)
    if (args.outdir is None) == (args.jsonl is None):
        ap.error("give either OUTDIR or --jsonl FILE")
    if args.n < 0 or args.start < 0:
        ap.error("N and --start must be >= 0")
    t0 = time.perf_counter()
    marker = Path(args.outdir) / ".generated.json" if args.outdir else None
    if marker:
        Path(args.outdir).mkdir(parents=True, exist_ok=True)
        marker.unlink(missing_ok=True)
    elif os.path.dirname(args.jsonl):
        os.makedirs(os.path.dirname(args.jsonl), exist_ok=True)
    n, nbytes = generate(args.n, args.outdir, args.jsonl, args.seed, args.start, args.procs)
    secs = time.perf_counter() - t0
    if marker:
        marker.write_text(
            json.dumps(
                {
                    "n": args.n,
                    "seed": args.seed,
                    "start": args.start,
                    "bytes": nbytes,
                    "generator": 1,
                }
            )
            + "\n",
            encoding="utf-8",
        )
    print(
        f"generate: {n} articles, {nbytes / 1e6:.1f} MB in {secs:.1f}s -> {args.outdir or args.jsonl}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
