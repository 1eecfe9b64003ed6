"""Continued pretraining of code models on math and formal corpora (Llemma-style), producing HF checkpoints."""
