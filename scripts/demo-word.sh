#!/usr/bin/env bash
# demo-word.sh: the reference toolkit's word demo, with word2vec_cli.
#
# Downloads text8 (the first 100 MB of an English Wikipedia dump, cleaned; needs a
# network connection, about 31 MB zipped) if it is not there yet, trains 200-dimensional
# CBOW vectors on it with the reference demo's flags, then opens the interactive
# nearest-words prompt. Run it from the directory where text8 and vectors.bin should be
# written. Uses the project's .venv/bin/word2vec (make install), else the `word2vec`
# on PATH.
#
#   bash scripts/demo-word.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/../.venv/bin/word2vec" ]; then
  W2V="$here/../.venv/bin/word2vec"
elif command -v word2vec >/dev/null 2>&1; then
  W2V=word2vec
else
  echo "demo-word.sh: no word2vec command found; run 'make install' first" >&2
  exit 1
fi

if [ ! -e text8 ]; then
  if command -v wget >/dev/null 2>&1; then
    wget -c http://mattmahoney.net/dc/text8.zip -O text8.zip
  else
    curl -L -C - -o text8.zip http://mattmahoney.net/dc/text8.zip
  fi
  if command -v unzip >/dev/null 2>&1; then
    unzip -o text8.zip
  else
    python3 -c 'import zipfile; zipfile.ZipFile("text8.zip").extractall()'
  fi
  rm -f text8.zip
fi

time "$W2V" -train text8 -output vectors.bin -cbow 1 -size 200 -window 8 -negative 25 -hs 0 \
  -sample 1e-4 -threads 2 -binary 1 -iter 15
"$W2V" distance vectors.bin
