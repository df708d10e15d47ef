"""Pure entity extraction: text to countries and officials. Data files live in extract/data/."""

from __future__ import annotations

import re
from pathlib import Path

from newscli.errors import UsageError
from newscli.extract.countries import (
    CountryMention,
    Gazetteer,
    dateline_qualifier,
    find_countries,
    load_gazetteer,
)
from newscli.extract.officials import OfficialData, find_officials, load_official_data
from newscli.models import Article, Country, fold

DATELINE_WEIGHT = 2


class Extractor:
    """Loaded once per process; extract() is pure and cheap."""

    def __init__(
        self, gazetteer: Gazetteer, officials: OfficialData, aliases_file: str | None = None
    ) -> None:
        self.gz = gazetteer
        self.od = officials
        self.aliases_file = aliases_file
        self._country_words = frozenset(
            " ".join(k) for k, (code, _kind) in gazetteer.phrases.items() if code
        )

    @classmethod
    def load(cls, aliases: Path | None = None, *, officials: bool = True) -> Extractor:
        """The tables and the user's aliases. officials=False leaves the officials' table empty:
        for resolving --country values, which need the gazetteer only (loading the officials'
        data took ~13 ms of a `--country pakistan` search)."""
        od = load_official_data() if officials else OfficialData()
        ex = cls(load_gazetteer(), od, str(aliases) if aliases else None)
        if aliases is not None:
            ex.apply_aliases(aliases)
        return ex

    def apply_aliases(self, path: Path) -> None:
        """Lines: `variant<TAB>canonical` (a 2-letter code makes it a country), `!phrase` blocks a
        false positive, `+Full Name<TAB>Title` adds an official. '#' starts a comment."""
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise UsageError(f"{path}: cannot read aliases file ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: aliases file is not UTF-8") from exc
        for lineno, raw in enumerate(lines, 1):
            line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
            if not line.strip():
                continue
            if line.startswith("!"):
                phrase = line[1:].strip()
                self.gz.block(phrase)
                self.od.blocked.add(fold(phrase))
                continue
            parts = [p.strip() for p in re.split(r"\t+|\s{2,}", line.strip()) if p.strip()]
            if line.startswith("+"):
                parts[0] = parts[0][1:].strip()
                self.od.add_known(parts[0], parts[1] if len(parts) > 1 else None, None, [])
                continue
            if len(parts) != 2:
                raise UsageError(
                    f"{path}:{lineno}: expected 'variant<TAB>canonical', '!phrase' or '+Name<TAB>Title'"
                )
            variant, canonical = parts
            self.od.user_keys.add(fold(variant))
            if re.fullmatch(r"[A-Z]{2}", canonical):
                if canonical not in self.gz.names:
                    raise UsageError(f"{path}:{lineno}: unknown country code {canonical!r}")
                self.gz.add(variant, canonical, "user")
            else:
                self.od.aliases[fold(variant)] = canonical
                if fold(canonical) not in self.od.known:
                    self.od.add_known(canonical, None, None, [variant])
                else:
                    k = self.od.known[fold(canonical)]
                    self.od.known[fold(variant)] = k
        self._country_words = frozenset(
            " ".join(k) for k, (code, _kind) in self.gz.phrases.items() if code
        )
        self.od._known_rx = None

    def extract(self, article: Article) -> Article:
        text = f"{article.title}\n\n{article.body}"
        mentions = find_countries(text, self.gz)
        qualified = dateline_qualifier(text, len(article.title) + 2, self.gz)
        if qualified is not None:
            code, lo, hi = qualified
            mentions = [m for m in mentions if not (lo <= m.start and m.end <= hi)]
            if not any(m.start >= hi and m.start < hi + 30 for m in mentions):
                mentions.insert(0, CountryMention(code, lo, hi, "dateline"))
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for m in mentions:
            counts[m.code] = counts.get(m.code, 0) + 1
            first.setdefault(m.code, m.start)
        weight = dict(counts)
        if qualified is not None:
            counts.setdefault(qualified[0], 1)
            first.setdefault(qualified[0], qualified[1])
            weight[qualified[0]] = counts[qualified[0]] + DATELINE_WEIGHT
        elif article.dateline:
            for m in find_countries(article.dateline.title(), self.gz) or find_countries(
                article.dateline, self.gz
            ):
                weight[m.code] = weight.get(m.code, 0) + DATELINE_WEIGHT
                counts.setdefault(m.code, 1)
                first.setdefault(m.code, 0)
        countries = tuple(
            Country(code, self.gz.names.get(code, code), counts[code])
            for code in sorted(counts, key=lambda c: (-counts[c], first[c]))
        )
        main = max(weight, key=lambda c: (weight[c], -first[c])) if weight else None
        officials = tuple(find_officials(text, self.od, self._country_words))
        return article._replace(countries=countries, main_country=main, officials=officials)

    def warm(self) -> None:
        """Compile now the regexes compiled at the first article (~0.25 s)."""
        self.extract(Article(title="Warm-up", body="ISLAMABAD: Foreign Minister Ishaq Dar said."))

    def resolve_country(self, value: str) -> str | None:
        return self.gz.resolve(value)
