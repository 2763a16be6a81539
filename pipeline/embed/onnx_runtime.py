"""The encoder's transformer run by ONNX Runtime (``embedding.backend: onnx`` or ``onnx-int8``).

The sentence-transformers model is loaded as usual (tokenizer, pooling, normalisation stay
sentence-transformers' own); only its transformer module's forward pass is replaced by an
ONNX Runtime session. The ONNX file is exported once per model, offline, from the loaded
model (``torch.onnx.export``) and kept under ``embedding.onnx_dir`` by the model's
fingerprint; for ``onnx-int8`` its MatMul weights are quantised to int8 per channel
(``onnxruntime.quantization.quantize_dynamic``).

Every text runs alone, unpadded: dynamic quantisation scales each activation tensor by its
own range, so in a padded batch a text's vector would depend on its batch-mates (and on
which texts the cache still lacks); alone, it depends on the text only.
(sentence-transformers' own ONNX backend needs optimum-onnx, whose only release pins
transformers below the version this project runs.)
"""

from __future__ import annotations

import os
import tempfile
import types
import warnings
from pathlib import Path

import numpy as np

from ..errors import PipelineError

ONNX_INT8 = "onnx-int8"
ONNX = "onnx"  # float32 weights: the torch model's numbers, another runtime
TORCH = "torch"
BACKENDS = (TORCH, ONNX, ONNX_INT8)
ONNX_FILES = {ONNX: "model_fp32.onnx", ONNX_INT8: "model_int8.onnx"}
INPUTS = ("input_ids", "attention_mask")


def onnx_model_path(onnx_dir: str | Path, fingerprint: str, backend: str) -> Path:
    return Path(onnx_dir) / fingerprint / ONNX_FILES[backend]


def export_onnx(model, target: Path, backend: str) -> Path:
    """Write ``model``'s transformer as an ONNX file at ``target`` (atomically); for
    ``onnx-int8`` with its MatMul weights quantised to int8 per channel."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    transformer = model[0].auto_model.eval()

    class LastHidden(torch.nn.Module):  # positional inputs in, token vectors out
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = model.tokenize(["query: export", "query: 导出 模型"])
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_embeddings")}
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            # tracer notes on branches fixed for an input with a mask: ours always has one
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHidden(),
                tuple(sample[name] for name in INPUTS),
                str(fp32),
                dynamo=False,
                input_names=list(INPUTS),
                output_names=["token_embeddings"],
                dynamic_axes=axes,
                opset_version=17,
            )
        if backend == ONNX_INT8:
            quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
        os.replace(int8 if backend == ONNX_INT8 else fp32, target)
    return target


def session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # a truncated or foreign file: say which, in one line
        raise PipelineError(f"{path}: cannot load the ONNX encoder: {str(err).splitlines()[0]}") from None


def use_onnx(model, path: Path, threads: int) -> None:
    """Replace ``model``'s transformer forward pass by the ONNX session at ``path``."""
    import torch

    ort_session = session(path, threads)
    module = model[0]

    def forward(self, features: dict, **kwargs) -> dict:
        ids, mask = features["input_ids"].numpy(), features["attention_mask"].numpy()
        out = None
        for row, length in enumerate(mask.sum(axis=1)):  # one text per run: no batch-mates, no padding
            hidden = ort_session.run(
                None, {"input_ids": ids[row : row + 1, :length], "attention_mask": mask[row : row + 1, :length]}
            )[0]
            if out is None:
                out = np.zeros((*ids.shape, hidden.shape[-1]), dtype=np.float32)
            out[row, :length] = hidden[0]
        features["token_embeddings"] = torch.from_numpy(out)
        return features

    module.forward = types.MethodType(forward, module)
