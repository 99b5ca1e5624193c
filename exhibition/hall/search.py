"""Keyword search of the hall, fast in Chinese and English whatever the database's locale.

Each listing keeps the set of its text's character bigrams (`BoothListing.search_grams`, a GIN-indexed
array), plus single characters outside ASCII, since one Chinese character is a word (泵, 阀). A keyword
narrows the listings to those holding all its grams, through the index, and the substring match on
`search_text` then checks the exact phrase among those few. Written here rather than with pg_trgm:
pg_trgm ignores Chinese characters under the C locale (so its index would not serve Chinese at all
there) and extracts nothing from a two-character keyword (轴承, 电机) under any locale; pg_bigm, which
does this, is not part of PostgreSQL's contrib.
"""

import re

WORD = re.compile(r"\w+")


def listing_text(name: str, name_en: str, snapshot: dict) -> str:
    """What a keyword is matched against: the company's names, the booth's introduction and its
    featured products' names and descriptions, in both languages, lower-cased."""
    texts = [name, name_en, snapshot.get("intro_zh", ""), snapshot.get("intro_en", "")]
    for item in snapshot.get("products", []):
        texts += [item["name_zh"], item["name_en"], item["description_zh"], item["description_en"]]
    return " ".join(t for t in texts if t).lower()


def grams(text: str) -> set[str]:
    """The bigrams of every word of `text` (lower-cased), and its non-ASCII characters."""
    out: set[str] = set()
    for word in WORD.findall(text.lower()):
        out.update(word[n : n + 2] for n in range(len(word) - 1))
        out.update(char for char in word if not char.isascii())
    return out


def keyword_grams(keyword: str) -> list[str]:
    """What a listing must hold to possibly contain `keyword`: the grams of its words; a one-letter
    ASCII word contributes nothing (the substring match alone decides)."""
    out: set[str] = set()
    for word in WORD.findall(keyword.lower()):
        if len(word) >= 2:
            out.update(word[n : n + 2] for n in range(len(word) - 1))
        elif not word.isascii():
            out.add(word)
    return sorted(out)
