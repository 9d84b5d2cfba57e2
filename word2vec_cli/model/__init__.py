"""The model: training options, Huffman codes, sampling tables and initial weights."""
