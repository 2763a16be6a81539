"""Bad PDF and Word inputs: one-line error naming the file and the reason, exit 2, no outputs.

Every bad file is made here: hand-written PDF objects (no pages, (cid:n) codes,
private-use and U+FFFD glyphs), reportlab (encrypted, image only), or a good PDF cut
short. Odd but readable files only warn.
"""

from __future__ import annotations

import io
import logging

import pytest

from pipeline.cli import main

from .conftest import RAW_DOC

EN_TXT = (RAW_DOC / "en.txt").read_bytes()
ZH_TXT = (RAW_DOC / "zh.txt").read_bytes()
EN_PDF = (RAW_DOC / "en.pdf").read_bytes()


def raw_pdf(page_streams: list[bytes], font: bytes | None = None) -> bytes:
    """A minimal, valid PDF (correct xref) with these content streams, one page each."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font_ref = b""
    if font is not None:
        objs.append(font)
        font_ref = f"/Resources << /Font << /F1 {len(objs)} 0 R >> >>".encode()
    kids = []
    for stream in page_streams:
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objs)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R %s >>" % (content, font_ref)
        )
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _font_with(names: list[str]) -> bytes:
    """A Type1 font whose codes 1..n map to the given glyph names (and to no Unicode if unknown)."""
    diffs = " ".join("/" + n for n in names)
    return (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/Differences [1 " + diffs.encode() + b"] >> >>"
    )


def _text_pdf(names: list[str], repeat: int = 40) -> bytes:
    codes = bytes(range(1, len(names) + 1))
    lines = b"".join(
        b"BT /F1 10 Tf 72 %d Td <%s> Tj ET\n" % (700 - 12 * i, codes.hex().encode()) for i in range(repeat)
    )
    return raw_pdf([lines], _font_with(names))


def _reportlab(draw, **kwargs) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, **kwargs)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted() -> bytes:
    return _reportlab(lambda c: c.drawString(72, 700, "Secret text " * 8), encrypt="secret")


def _scanned() -> bytes:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    img = Image.new("L", (200, 260), 255)
    return _reportlab(lambda c: c.drawImage(ImageReader(img), 0, 0, 612, 792))


def _bad_docx() -> bytes:
    return b"PK\x03\x04 this is not really a zip archive"


CASES = {
    "encrypted": (lambda: _encrypted(), "en.pdf", "encrypted"),
    "truncated": (lambda: EN_PDF[: len(EN_PDF) // 2], "en.pdf", "truncated"),
    "corrupt body": (lambda: b"%PDF-1.4\n" + b"\x00garbage\xff" * 200 + b"\n%%EOF\n", "en.pdf", "PDF"),
    "not a PDF": (lambda: EN_TXT, "en.pdf", "not a PDF"),
    "zero pages": (lambda: raw_pdf([]), "en.pdf", "no pages"),
    "no text layer": (lambda: _scanned(), "en.pdf", "needs OCR"),
    "cid codes": (lambda: _text_pdf([f"g{i}" for i in range(1, 9)]), "en.pdf", "garbled"),
    "private use": (lambda: _text_pdf([f"uniE0{i:02d}" for i in range(10, 18)]), "en.pdf", "garbled"),
    "replacement chars": (lambda: _text_pdf(["uniFFFD"] * 6 + ["A", "B"]), "en.pdf", "garbled"),
    "broken docx": (lambda: _bad_docx(), "en.docx", "not a readable Word"),
}


def _make(tmp_path, name: str, data: bytes):
    doc = tmp_path / "raw" / "X_2009_1"
    doc.mkdir(parents=True)
    (doc / "zh.txt").write_bytes(ZH_TXT)
    (doc / name).write_bytes(data)
    out = tmp_path / "work" / "X_2009_1"
    out.mkdir(parents=True)
    for stale in ("documents.parquet", "blocks.parquet"):
        (out / stale).write_bytes(b"stale")
    return doc, out


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_pdf(case, tmp_path, capsys):
    make, name, says = CASES[case]
    doc, out = _make(tmp_path, name, make())
    assert main(["ingest", str(doc), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert name in err and says in err, err
    assert sorted(p.name for p in out.iterdir()) == [], "partial or stale outputs left behind"


def test_a_few_odd_chars_only_warn(tmp_path, capsys, caplog):
    """Below the garbled threshold: readable, with a warning line (stderr and logging)."""
    names = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] * 6 + ["uniE001"]
    doc, out = _make(tmp_path, "en.pdf", _text_pdf(names, repeat=40))
    with caplog.at_level(logging.WARNING, logger="pipeline.ingest"):
        assert main(["ingest", str(doc), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "en.pdf" in err and "unmapped" in err, err
    assert any("unmapped" in r.getMessage() for r in caplog.records)


def test_scanned_page_with_ocr_layer_warns(tmp_path, capsys):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    img = Image.new("L", (200, 260), 255)

    def draw(c):
        c.drawImage(ImageReader(img), 0, 0, 612, 792)
        for i in range(30):
            c.drawString(72, 700 - 14 * i, "The General Assembly decides to remain seized of the matter.")

    doc, out = _make(tmp_path, "en.pdf", _reportlab(draw))
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "OCR text layer" in err, err


def test_symbol_mismatch_warns(tmp_path, capsys):
    doc = tmp_path / "raw" / "A_80_1"
    doc.mkdir(parents=True)
    for lang in ("zh", "en"):
        (doc / f"{lang}.pdf").write_bytes((RAW_DOC / f"{lang}.pdf").read_bytes())
    out = tmp_path / "work" / "A_80_1"
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "CTOC/COP/WG.2/2009/1" in err and "A/80/1" in err, err
