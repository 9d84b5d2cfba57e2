"""Text in: streaming the corpus, counting words, the vocabulary, the token file
that training reads, and word2phrase."""
