"""Evaluation of the sentence aligner: ladder files, strict P/R/F1, the UNPC-derived set."""
