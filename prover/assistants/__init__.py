"""The proof assistants behind one seam: base (the typed seam), registry (one descriptor per
assistant), text (how proofs are split and read), process, and one package per assistant."""
