"""The training driver: from options and a corpus to trained matrices and output
files, with threads, progress and the work split between threads."""
