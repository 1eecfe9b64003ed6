"""Batch runs: a config, workers that prove one theorem each, executors, the resumable runner."""
