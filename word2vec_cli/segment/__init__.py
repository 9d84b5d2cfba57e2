"""Chinese word segmentation: ``word2vec segment`` and ``word2vec segment-score``.

Modules: :mod:`.han` (character classes, pre-tokenization, normalisation),
:mod:`.maxmatch` (maximum matching in numba), :mod:`.jieba_backend` (the optional
jieba), :mod:`.segmenters` (one interface over them), :mod:`.driver` (streaming and
worker processes) and :mod:`.score` (boundary and word precision/recall/F1).
"""
