"""Stage 2, segment: blocks -> structural segments -> sentences (see units.py, sentences.py)."""

from .sentences import sentences_of, split_sentences, tokenize
from .units import segment_version

__all__ = ["segment_version", "sentences_of", "split_sentences", "tokenize"]
