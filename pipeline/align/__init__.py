"""Stage 4, align. Modules: sections (structure anchors), costs (pair scores),
dp (the dynamic program), document (putting them together for one document)."""

from .document import align_document

__all__ = ["align_document"]
