"""Generated stand-ins for the corpora of the reference's demo scripts (test helper).

* :func:`text8_like`: the demo corpus (:mod:`word2vec_cli.demo_corpus`, planted
  analogies) as text8 is laid out: lowercase words on one line, no final newline.
* :func:`news_like`: news-style sentences, one per line, with capitals, digits,
  punctuation and typographic quotes (what the phrase demos normalise with ``sed`` and
  ``tr``), and multi-word names (``Kado Merin``, ``Kado Merin Herald``) that
  word2phrase should join, with :func:`phrase_questions` about them.

Both are deterministic for a given size and seed.
"""

from pathlib import Path

import numpy as np

from word2vec_cli.demo_corpus import ENGLISH_FILLERS, generate

#: One newspaper and one sports team per city, named by a word of its own.
PAPERS = ("Herald", "Gazette", "Tribune", "Courier", "Chronicle", "Sentinel", "Observer", "Examiner",
          "Ledger", "Dispatch", "Inquirer", "Beacon")
TEAMS = ("Falcons", "Otters", "Wolves", "Comets", "Herons", "Badgers", "Ravens", "Lynxes", "Bisons",
         "Hornets", "Pumas", "Mustangs")
#: The share of sentences that name a city (word2phrase joins a pair when it is much more
#: frequent than its words' frequencies predict).
NAMED_SHARE = 0.12
_SYLLABLES = ("ka", "do", "me", "rin", "vo", "lat", "su", "ben", "ti", "ros", "ga", "mul", "pe", "zor")

_TEMPLATES = (
    "In {city} , the weather was {f} and {f} on Monday .",
    "{City} ’s mayor said the {f} would open in {year} .",
    "The {paper} reported that {f} prices rose by {n} per cent .",
    "According to the {paper} , the council of {city} met on Tuesday .",
    "The {team} beat the {team2} {n} - {m} on Sunday night .",
    "Fans of the {team} in {city} celebrated the win ′ again ′ .",
    "'' It was a {f} {f} day , '' a reader told the {paper} .",
    "Officials in {city} and {city2} signed a {f} deal worth ${n} million .",
)


def text8_like(path, n_tokens=30_000, seed=1):
    """Write the demo corpus of ``n_tokens`` words to ``path`` as one line without a
    final newline (text8's layout); return ``(path, questions_text)`` where
    ``questions_text`` is its analogy questions (questions-words.txt format)."""
    path = Path(path)
    folder = path.parent / (path.name + ".parts")
    corpus, questions = generate(folder, n_tokens=n_tokens, seed=seed)
    path.write_bytes(b" ".join(corpus.read_bytes().split()))
    text = questions.read_text(encoding="ascii")
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return path, text


def _names(rng, n):
    """``n`` distinct two-word city names from invented words (each word used once)."""
    words = set()
    while len(words) < 2 * n:
        k = rng.integers(2, 4)
        words.add("".join(rng.choice(_SYLLABLES, size=k)).capitalize())
    words = sorted(words)
    rng.shuffle(words)
    return [f"{words[2 * i]} {words[2 * i + 1]}" for i in range(n)]


def cities(seed=1):
    """Return the city names :func:`news_like` uses for ``seed`` (one per paper)."""
    return _names(np.random.default_rng(seed), len(PAPERS))


def news_like(path, n_sentences=4_000, seed=1):
    """Write ``n_sentences`` news-like sentences, one per line, to ``path``; return it."""
    rng = np.random.default_rng(seed)
    names = cities(seed)
    fillers = [w for w in ENGLISH_FILLERS if len(w) > 2]
    lines = []
    for _ in range(n_sentences):
        if rng.random() >= NAMED_SHARE:  # plain words: the names stay rare, so they score as phrases
            words = [fillers[k] for k in rng.integers(len(fillers), size=rng.integers(6, 16))]
            lines.append(" ".join(words).capitalize() + rng.choice([" .", ", he said .", " ?"]))
            continue
        template = _TEMPLATES[rng.integers(len(_TEMPLATES))]
        i, j = rng.choice(len(names), size=2, replace=False)
        text = template
        for slot, value in (("{City}", names[i]), ("{city}", names[i]), ("{city2}", names[j]),
                            ("{paper}", f"{names[i]} {PAPERS[i]}"), ("{team2}", f"{names[j]} {TEAMS[j]}"),
                            ("{team}", f"{names[i]} {TEAMS[i]}"), ("{year}", str(rng.integers(1990, 2030))),
                            ("{n}", str(rng.integers(2, 99))), ("{m}", str(rng.integers(0, 9)))):
            text = text.replace(slot, value)
        while "{f}" in text:
            text = text.replace("{f}", fillers[rng.integers(len(fillers))], 1)
        lines.append(text)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)


def phrase_questions(seed=1):
    """Return analogy questions about :func:`news_like`'s names, as phrases (lowercase,
    words joined by ``_``, the format of questions-phrases.txt): two sections."""
    names = [n.lower().replace(" ", "_") for n in cities(seed)]
    out = []
    for section, suffixes in (("newspapers", PAPERS), ("sports-teams", TEAMS)):
        out.append(f": {section}")
        pairs = [(city, f"{city}_{s.lower()}") for city, s in zip(names, suffixes)]
        for a, b in pairs:
            for c, d in pairs:
                if a != c:
                    out.append(f"{a} {b} {c} {d}")
    return "\n".join(out) + "\n"
