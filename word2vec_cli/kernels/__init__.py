"""The numba training kernels: row primitives, the shared hierarchical-softmax and
negative-sampling steps, the CBOW and skip-gram position steps, and one thread's
training loop."""
