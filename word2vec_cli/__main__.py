"""``python -m word2vec_cli`` runs the ``word2vec`` command."""

from .cli import main

if __name__ == "__main__":
    main()
