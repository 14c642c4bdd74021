"""The benchmarks: one script per figure (see README.md); `_common` holds what they share."""
