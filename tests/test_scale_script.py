"""The generator of scripts/scale_corpus.py writes the Zipf text it promises (the
training paths it feeds are the ones the rest of the suite tests on megabytes)."""

import io
import sys

import numpy as np

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import scale_corpus  # noqa: E402


def test_generated_text_is_seeded_zipf_sentences_of_english_length_words():
    stream = io.BytesIO()
    words = scale_corpus.generate(stream, 200_000, seed=3, zipf=1.1, distinct=1000)
    text = stream.getvalue()
    assert len(text) >= 200_000
    lines = text.split(b"\n")
    assert all(len(line.split()) == scale_corpus.SENTENCE for line in lines[:-1])
    tokens = text.split()
    assert len(tokens) == words
    assert all(len(token) >= 4 and token.isalpha() for token in tokens[:5000])
    forms, lengths = scale_corpus.word_forms(1000)
    assert len({bytes(row[:n - 1]) for row, n in zip(forms, lengths)}) == 1000  # distinct forms
    values, counts = np.unique(np.array(tokens[:200_000]), return_counts=True)
    top = counts.max() / counts.sum()
    expected = 1.0 / np.sum(np.arange(1, 1001) ** -1.1)  # rank 1 of a Zipf law truncated at 1000
    assert abs(top - expected) < 0.1 * expected
    again = io.BytesIO()
    scale_corpus.generate(again, 200_000, seed=3, zipf=1.1, distinct=1000)
    assert again.getvalue() == text
