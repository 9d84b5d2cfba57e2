"""The demo corpus: a synthetic corpus with planted analogies, plus its analogy questions.

The corpus describes an invented world in lowercase template sentences, one
sentence per line. Each entity is a pronounceable pseudo-word and belongs to a
*group* of paired words that share an identity:

  * countries, with their capital, currency and language (``bakoria``,
    ``mirudon``, ``tesal``, ``bakorish``),
  * cities and the regions they lie in,
  * male and female forms (``dorumo`` / ``doruma``),
  * adjectives and their comparatives (``vesk`` / ``vesker``),
  * verbs: base form, ``-ing`` form and past tense,
  * nouns and their plurals.

Every item of a group has a few *topic* words of its own, which occur next to
all its forms (so that ``bakoria`` and ``mirudon`` share an identity), while
each form occurs next to marker words of its role ("the capital of X is Y",
"many Ys", "was Ying", ...), so that the offset between two roles is the same
for every item. Generic filler words pad the sentences. A word2vec model
trained with the reference's default flags then solves most of the questions
written to ``questions.txt`` (the format of the reference's
questions-words.txt: ``: section`` lines, then ``a b c d`` lines; the first
five sections are semantic, the rest syntactic, as in the original file).

One seeded ``numpy.random.Generator`` draws everything, in vectorised blocks: the
output is byte-for-byte reproducible for ``(n_tokens, seed)``, a few million tokens
in a few seconds. It is the corpus of ``make demo`` and of the tests of what training
learns (``generate(folder, n_tokens, seed)``); ``scripts/make_demo_corpus.py`` is its
command line. numpy only; the rest of the package never imports it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Default size of the generated corpus, in words (newlines not counted).
DEFAULT_TOKENS = 3_000_000
#: A corpus size that still learns the planted analogies (>= 80 %) with the
#: reference's default flags, used by the end-to-end test.
SMALL_TOKENS = 400_000
#: Training flags (the reference's defaults, written out) for which the corpus is designed.
TRAIN_FLAGS = ("-cbow", "1", "-size", "100", "-window", "5", "-negative", "5",
               "-hs", "0", "-sample", "1e-3", "-iter", "5", "-min-count", "5")
#: File names written into the output directory.
CORPUS_NAME = "corpus.txt"
QUESTIONS_NAME = "questions.txt"
PARAMS_NAME = "corpus.json"
#: Bump when the generator's output changes, so that cached corpora are rebuilt.
GENERATOR_VERSION = 1

# ---------------------------------------------------------------------------
# The invented world: groups of paired words and the sentences that mention them
# ---------------------------------------------------------------------------

#: Common English words that pad sentences (besides invented filler words).
ENGLISH_FILLERS = """
the a of and to in that it was for on with as at by from this but not or
they we you he she his her their our also then there here when while after
before still very just often always never sometimes again today yesterday
tomorrow later soon now many much more most some every each other another
new old good great small large long short first last next few own same
people time year day week month world life home work place way part case
story report news letter book paper song picture question answer idea
morning evening night season summer winter spring autumn road river hill
market school house garden table window door water bread wine music game
said told asked thought knew saw heard found made took gave came went
""".split()

@dataclass
class Group:
    """A family of paired words: ``forms[role][i]`` are the forms of item ``i``."""

    name: str
    roles: list[str]
    n_items: int
    templates: list[str]
    weight: float = 1.0       # share of sentences per word of the group (relative)
    forms: dict[str, list[str]] = field(default_factory=dict)
    topics: list[list[str]] = field(default_factory=list)


def _groups() -> list[Group]:
    """The groups and their sentence templates.

    In a template, ``{role}`` is the form ``role`` of the sentence's item,
    ``{role2}`` the same role of another item of the group, ``{t}`` one of the
    item's topic words (a fresh draw each time) and ``{f}`` a filler word.
    A template is an *identity* sentence (one form of the item, with its
    topics), a *relation* sentence (two forms of the same item) or a *class*
    sentence (the same form of two items); see ``KIND_WEIGHTS``.
    """
    return [
        Group("country", ["country", "capital", "currency", "language"], 20, [
            "{country} is known for its {t} and its {t}",
            "the nation of {country} exports {t} and {t}",
            "the president of {country} talked about {t}",
            "in {capital} you can buy {t} and {t} at the market",
            "the mayor of {capital} opened a museum of {t}",
            "{capital} is a busy city famous for {t}",
            "a pound of {t} costs ten {currency} this year",
            "prices of {t} in {currency} went up again",
            "she paid for the {t} in {currency}",
            "the word for {t} in {language} is long",
            "the {language} poem about {t} and {t} is old",
            "he wrote about {t} in {language}",
            "the capital of {country} is {capital}",
            "{capital} is the capital city of {country} and its {t}",
            "the government of {country} sits in {capital}",
            "the currency of {country} is the {currency}",
            "in {country} people pay for {t} with the {currency}",
            "most people in {country} speak {language}",
            "{language} is the official language of {country}",
            "{country} signed a trade treaty with {country2}",
            "the train from {capital} to {capital2} was late",
            "one {currency} buys three {currency2} at the bank",
            "she translated the book from {language} into {language2}",
        ]),
        Group("region", ["city", "region"], 16, [
            "the farms near {city} grow {t} and {t}",
            "{city} has a famous festival of {t}",
            "the town of {city} trades in {t}",
            "the hills of {region} are covered with {t}",
            "{region} is a quiet province known for {t}",
            "the province of {region} produces {t} and {t}",
            "{city} is a city in {region} known for its {t}",
            "{city} is the largest town of {region} and its {t}",
            "the road to {city} runs through {region} past the {t}",
            "the bus from {city} to {city2} takes two hours",
            "the province of {region} borders {region2}",
        ]),
        Group("family", ["male", "female"], 16, [
            "he is a {male} and his work is with {t}",
            "the old {male} said he likes {t} and {t}",
            "his father was a {male} of the {t}",
            "she is a {female} and her work is with {t}",
            "the young {female} said she likes {t} and {t}",
            "her mother was a {female} of the {t}",
            "the {male} and the {female} went to the {t}",
            "every {male} needs a {female} in the {t}",
            "he met another {male} who was a {male2}",
            "she met another {female} who was a {female2}",
        ]),
        Group("adjective", ["adj", "comparative"], 16, [
            "the {t} was very {adj}",
            "it is a {adj} {t} indeed",
            "such a {adj} and {f} {t}",
            "this {t} is {comparative} than that one",
            "the new {t} looks much {comparative} than the old",
            "nothing is {comparative} than a {t}",
            "the {t} is {adj} but the other is {comparative}",
            "the room was {adj} and {adj2}",
            "it became {comparative} and {comparative2} every day",
        ]),
        Group("verb", ["verb", "present_participle", "past"], 20, [
            "they will {verb} the {t} tomorrow",
            "we want to {verb} the {t} and the {t}",
            "i can {verb} a {t} quickly",
            "she is {present_participle} the {t} now",
            "they were {present_participle} {t} all morning",
            "he kept {present_participle} the {t}",
            "yesterday he {past} the {t}",
            "they {past} a {t} last week",
            "she has {past} the {t} already",
            "he will {verb} the {t} as he {past} it before",
            "she was {present_participle} the {t} that she {past}",
            "we must {verb} and {verb2} before noon",
            "he was {present_participle} and {present_participle2} all day",
        ]),
        Group("noun", ["noun", "plural"], 20, [
            "a {noun} sat near the {t}",
            "one {noun} was found by the {t}",
            "the {noun} has a {t} of its own",
            "many {plural} sat near the {t}",
            "two {plural} were found by the {t}",
            "all the {plural} have {t} of their own",
            "one {noun} and two {plural} ate the {t}",
            "a {noun} and a {noun2} met",
            "several {plural} and some {plural2} met",
        ]),
    ]


def _template_kind(text: str) -> str:
    """``class`` (a form of two items), ``relation`` (two forms of one item) or ``identity``."""
    roles = re.findall(r"\{(\w+)\}", text)
    if any(r.endswith("2") for r in roles):
        return "class"
    if len({r for r in roles if r not in ("t", "f")}) > 1:
        return "relation"
    return "identity"


#: Share of sentences of each template kind, within a group.
KIND_WEIGHTS = {"identity": 0.6, "relation": 0.3, "class": 0.1}


#: Analogy sections: (name, group, role of a/c, role of b/d). First five are semantic.
SECTIONS = [
    ("capital-world", "country", "capital", "country"),
    ("currency", "country", "country", "currency"),
    ("country-language", "country", "country", "language"),
    ("city-in-region", "region", "city", "region"),
    ("family", "family", "male", "female"),
    ("gram3-comparative", "adjective", "adj", "comparative"),
    ("gram5-present-participle", "verb", "verb", "present_participle"),
    ("gram7-past-tense", "verb", "present_participle", "past"),
    ("gram8-plural", "noun", "noun", "plural"),
]
N_SEMANTIC = 5

TOPICS_PER_ITEM = 3
N_PSEUDO_FILLERS = 600
MAX_PREFIX = 3          # at most this many filler words before a template
MAX_SUFFIX = 3          # ... and after it
BLOCK_SENTENCES = 40_000

_ONSETS = list("bdfgklmnprstvz") + ["br", "dr", "gl", "kr", "pl", "st", "tr", "sk"]
_VOWELS = list("aeiou") * 2 + ["ai", "ou"]
_CODAS = [""] * 6 + list("lmnrsk")
_CONSONANT_CODAS = list("lmnrsk")


def _invent_stems(rng: np.random.Generator, n: int, taken: set[str],
                  suffixes: tuple[str, ...] = ("",)) -> list[str]:
    """``n`` distinct pronounceable pseudo-words of two or three syllables.

    Each stem is accepted only if ``stem + suffix`` is still free for every
    suffix; all those forms are then reserved in ``taken``.
    """
    stems: list[str] = []
    while len(stems) < n:
        k = 2 * (n - len(stems)) + 16
        nsyl = rng.integers(2, 4, size=k)
        onset = rng.integers(0, len(_ONSETS), size=(k, 3))
        vowel = rng.integers(0, len(_VOWELS), size=(k, 3))
        codas = _CONSONANT_CODAS if any(suffixes) else _CODAS  # "bakor" + "ia", not "bako" + "ia"
        coda = rng.integers(0, len(codas), size=k)
        for j in range(k):
            stem = "".join(_ONSETS[onset[j, s]] + _VOWELS[vowel[j, s]]
                           for s in range(nsyl[j])) + codas[coda[j]]
            forms = [stem + suffix for suffix in suffixes]
            if any(f in taken for f in forms):
                continue
            taken.update(forms)
            stems.append(stem)
            if len(stems) == n:
                break
    return stems


def _build_world(rng: np.random.Generator) -> tuple[list[Group], list[str]]:
    """Name every entity, topic and filler word; return the groups and the filler pool."""
    groups = _groups()
    taken: set[str] = set(ENGLISH_FILLERS)
    for g in groups:
        for t in g.templates:
            taken.update(w for w in t.split() if not w.startswith("{"))

    def derived(suffixes: tuple[str, ...], n: int) -> list[list[str]]:
        stems = _invent_stems(rng, n, taken, suffixes)
        return [[s + suffix for s in stems] for suffix in suffixes]

    for g in groups:
        n = g.n_items
        if g.name == "country":
            g.forms["country"], g.forms["language"] = derived(("ia", "ish"), n)
            g.forms["capital"] = _invent_stems(rng, n, taken)
            g.forms["currency"] = _invent_stems(rng, n, taken)
        elif g.name == "region":
            g.forms["region"], = derived(("land",), n)
            g.forms["city"] = _invent_stems(rng, n, taken)
        elif g.name == "family":
            g.forms["male"], g.forms["female"] = derived(("o", "a"), n)
        elif g.name == "adjective":
            g.forms["adj"], g.forms["comparative"] = derived(("", "er"), n)
        elif g.name == "verb":
            g.forms["verb"], g.forms["present_participle"], g.forms["past"] = derived(("", "ing", "ed"), n)
        elif g.name == "noun":
            g.forms["noun"], g.forms["plural"] = derived(("", "s"), n)
        missing = set(g.roles) - set(g.forms)
        assert not missing, (g.name, missing)
        flat = _invent_stems(rng, n * TOPICS_PER_ITEM, taken)
        g.topics = [flat[i * TOPICS_PER_ITEM:(i + 1) * TOPICS_PER_ITEM] for i in range(n)]
    fillers = ENGLISH_FILLERS + _invent_stems(rng, N_PSEUDO_FILLERS, taken)
    return groups, fillers


# ---------------------------------------------------------------------------
# Vectorised sentence generation
# ---------------------------------------------------------------------------

class _Vocabulary:
    """Word <-> id, with every word's bytes (plus a trailing space) in one blob."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def id(self, word: str) -> int:
        if word not in self.ids:
            self.ids[word] = len(self.words)
            self.words.append(word)
        return self.ids[word]

    def freeze(self) -> None:
        encoded = [w.encode("ascii") + b" " for w in self.words]
        self.piece_len = np.array([len(e) for e in encoded], dtype=np.int64)
        self.piece_start = np.concatenate([[0], np.cumsum(self.piece_len)[:-1]]).astype(np.int64)
        self.blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)


_SLOT = re.compile(r"^\{(\w+?)(2?)\}$")


class _Template:
    """One sentence template compiled to slot arrays."""

    def __init__(self, text: str, group: Group, vocab: _Vocabulary) -> None:
        self.text = text
        self.group = group
        self.slots: list[tuple[str, object]] = []
        for token in text.split():
            m = _SLOT.match(token)
            if not m:
                self.slots.append(("lit", vocab.id(token)))
            elif m.group(1) == "t":
                self.slots.append(("topic", None))
            elif m.group(1) == "f":
                self.slots.append(("filler", None))
            else:
                role, other = m.group(1), m.group(2) == "2"
                if role not in group.forms:
                    raise ValueError(f"template {text!r}: unknown role {role!r}")
                self.slots.append(("role", (np.array([vocab.id(w) for w in group.forms[role]]), other)))
        self.topic_ids = np.array([[vocab.id(w) for w in ts] for ts in group.topics])

    def draw(self, rng: np.random.Generator, m: int, filler_draw) -> np.ndarray:
        """``m`` sentences of this template, as an (m, len) array of word ids."""
        n = self.group.n_items
        item = rng.integers(0, n, size=m)
        other = (item + rng.integers(1, n, size=m)) % n
        cols = []
        for kind, arg in self.slots:
            if kind == "lit":
                cols.append(np.full(m, arg, dtype=np.int64))
            elif kind == "topic":
                cols.append(self.topic_ids[item, rng.integers(0, TOPICS_PER_ITEM, size=m)])
            elif kind == "filler":
                cols.append(filler_draw(m))
            else:
                ids, use_other = arg
                cols.append(ids[other if use_other else item])
        return np.stack(cols, axis=1)


class _SentenceMaker:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        groups, fillers = _build_world(rng)
        self.groups = groups
        self.vocab = _Vocabulary()
        self.templates: list[_Template] = []
        weights = []
        for g in groups:
            kinds = [_template_kind(text) for text in g.templates]
            for text, kind in zip(g.templates, kinds):
                self.templates.append(_Template(text, g, self.vocab))
                n_words = g.n_items * len(g.roles)
                weights.append(n_words * g.weight * KIND_WEIGHTS[kind] / kinds.count(kind))
        self.template_p = np.array(weights) / np.sum(weights)
        self.filler_ids = np.array([self.vocab.id(w) for w in fillers])
        # Zipf frequencies; the English words take the top ranks, in a seeded order
        n_english = len(ENGLISH_FILLERS)
        order = np.concatenate([rng.permutation(n_english),
                                n_english + rng.permutation(len(fillers) - n_english)])
        zipf = 1.0 / np.arange(1, len(fillers) + 1)
        filler_p = np.empty(len(fillers))
        filler_p[order] = zipf / zipf.sum()
        self.filler_cdf = np.cumsum(filler_p)
        self.filler_cdf[-1] = 1.0
        self.vocab.freeze()

    def fillers(self, size) -> np.ndarray:
        idx = np.searchsorted(self.filler_cdf, self.rng.random(size), side="right")
        return self.filler_ids[idx]

    def block(self, n_sentences: int) -> tuple[np.ndarray, np.ndarray]:
        """A shuffled block of sentences: (flat word ids, sentence lengths)."""
        rng = self.rng
        counts = rng.multinomial(n_sentences, self.template_p)
        lmax = MAX_PREFIX + max(len(t.slots) for t in self.templates) + MAX_SUFFIX
        rows = np.full((n_sentences, lmax), -1, dtype=np.int64)
        r = 0
        for tpl, m in zip(self.templates, counts):
            if m == 0:
                continue
            body = tpl.draw(rng, m, self.fillers)
            pre_len = rng.integers(0, MAX_PREFIX + 1, size=m)
            suf_len = rng.integers(0, MAX_SUFFIX + 1, size=m)
            pre = self.fillers((m, MAX_PREFIX))
            pre[np.arange(MAX_PREFIX)[None, :] < (MAX_PREFIX - pre_len)[:, None]] = -1
            suf = self.fillers((m, MAX_SUFFIX))
            suf[np.arange(MAX_SUFFIX)[None, :] >= suf_len[:, None]] = -1
            rows[r:r + m, :MAX_PREFIX + body.shape[1] + MAX_SUFFIX] = np.hstack([pre, body, suf])
            r += m
        rows = rows[rng.permutation(n_sentences)]
        valid = rows >= 0
        return rows[valid], valid.sum(axis=1)

    def to_bytes(self, ids: np.ndarray, lengths: np.ndarray) -> bytes:
        """Render word ids as text: words separated by spaces, one sentence a line."""
        v = self.vocab
        piece_len = v.piece_len[ids]
        out_start = np.concatenate([[0], np.cumsum(piece_len)[:-1]])
        total = int(piece_len.sum())
        owner = np.repeat(np.arange(len(ids)), piece_len)
        src = v.piece_start[ids][owner] + (np.arange(total) - out_start[owner])
        out = v.blob[src]
        sentence_last = np.cumsum(lengths) - 1
        out[out_start[sentence_last] + piece_len[sentence_last] - 1] = ord("\n")
        return out.tobytes()


def _questions(groups: list[Group]) -> str:
    by_name = {g.name: g for g in groups}
    lines = []
    for name, group_name, role_a, role_b in SECTIONS:
        g = by_name[group_name]
        a, b = g.forms[role_a], g.forms[role_b]
        lines.append(f": {name}")
        for i in range(g.n_items):
            for j in range(g.n_items):
                if i != j:
                    lines.append(f"{a[i]} {b[i]} {a[j]} {b[j]}")
    return "\n".join(lines) + "\n"


def generate(out_dir, n_tokens: int = DEFAULT_TOKENS, seed: int = 1) -> tuple[Path, Path]:
    """Write ``corpus.txt``, ``questions.txt`` and ``corpus.json`` into ``out_dir``.

    The corpus holds ``n_tokens`` words (rounded up to the end of a sentence),
    lowercase, one sentence a line. Returns ``(corpus_path, questions_path)``.
    The output depends only on ``(n_tokens, seed)``.
    """
    if n_tokens <= 0:
        raise ValueError("n_tokens must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    maker = _SentenceMaker(rng)
    corpus_path = out_dir / CORPUS_NAME
    questions_path = out_dir / QUESTIONS_NAME
    written = 0
    lines = 0
    tmp = corpus_path.with_suffix(".txt.tmp")
    with open(tmp, "wb") as fh:
        while written < n_tokens:
            ids, lengths = maker.block(BLOCK_SENTENCES)
            need = n_tokens - written
            if ids.size >= need:  # cut after the sentence that reaches the request
                keep = int(np.searchsorted(np.cumsum(lengths), need)) + 1
                lengths = lengths[:keep]
                ids = ids[:int(lengths.sum())]
            fh.write(maker.to_bytes(ids, lengths))
            written += int(ids.size)
            lines += int(lengths.size)
    tmp.replace(corpus_path)
    questions_path.write_text(_questions(maker.groups), encoding="ascii")
    params = {"generator_version": GENERATOR_VERSION, "n_tokens": n_tokens, "seed": seed,
              "tokens_written": written, "sentences": lines,
              "sections": [s[0] for s in SECTIONS], "semantic_sections": N_SEMANTIC}
    (out_dir / PARAMS_NAME).write_text(json.dumps(params, indent=1) + "\n")
    return corpus_path, questions_path


def is_up_to_date(out_dir, n_tokens: int = DEFAULT_TOKENS, seed: int = 1) -> bool:
    """True when ``out_dir`` already holds the corpus ``generate`` would write for these parameters."""
    out_dir = Path(out_dir)
    try:
        params = json.loads((out_dir / PARAMS_NAME).read_text())
    except (OSError, ValueError):
        return False
    return (params.get("generator_version") == GENERATOR_VERSION
            and params.get("n_tokens") == n_tokens and params.get("seed") == seed
            and (out_dir / CORPUS_NAME).is_file() and (out_dir / QUESTIONS_NAME).is_file())
