"""The models of the engine issue (#9), built the same way by every script here.

make_models.py exports them, compare.py rebuilds them for the PyTorch reference and
torch_baseline.py times them, so weights and inputs must come from one place: every
model is built after torch.manual_seed(SEED) from its library's definition with random
weights (nothing is downloaded), and every input comes from numpy's generator seeded by
INPUT_SEED. Only torch/torchvision/timm/transformers are imported lazily, so this file
also loads (for the input helpers) where only numpy is installed.
"""
import numpy as np

SEED = 0
INPUT_SEED = 1234

# name -> spec. kind: vision | bert | gpt2. image: H = W of the input. seq: default
# sequence length. batches: the batch sizes of the speed table (first = the
# one used for correctness).
MODELS = {
    "resnet50": {"kind": "vision", "image": 224, "batches": [1, 256], "tiny": False},
    "bert_base": {"kind": "bert", "seq": 128, "batches": [1, 64], "tiny": False},
    "gpt2": {"kind": "gpt2", "seq": 128, "batches": [1], "tiny": False},
    "vit_b16": {"kind": "vision", "image": 224, "batches": [1, 256], "tiny": False},
    "resnet_tiny": {"kind": "vision", "image": 64, "batches": [2], "tiny": True},
    "bert_tiny": {"kind": "bert", "seq": 32, "batches": [2], "tiny": True},
    "gpt2_tiny": {"kind": "gpt2", "seq": 32, "batches": [2], "tiny": True},
    "vit_tiny": {"kind": "vision", "image": 64, "batches": [2], "tiny": True},
}
FULL = [n for n, s in MODELS.items() if not s["tiny"]]
TINY = [n for n, s in MODELS.items() if s["tiny"]]

# Tiny variants: a few layers, hidden size 64, small vocabularies.
TINY_VOCAB = 1000


def input_names(name):
    kind = MODELS[name]["kind"]
    if kind == "vision":
        return ["input"]
    if kind == "bert":
        return ["input_ids", "attention_mask"]
    return ["input_ids"]


def output_names(name):
    kind = MODELS[name]["kind"]
    if kind == "vision":
        return ["logits"]
    if kind == "bert":
        return ["last_hidden_state", "pooler_output"]
    return ["last_hidden_state"]


def dynamic_axes(name):
    """Axis names per input and output: batch everywhere, sequence for text models."""
    kind = MODELS[name]["kind"]
    if kind == "vision":
        return {"input": {0: "batch"}, "logits": {0: "batch"}}
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}}
    if kind == "bert":
        axes["attention_mask"] = {0: "batch", 1: "sequence"}
        axes["pooler_output"] = {0: "batch"}
    return axes


def vocab_size(name):
    kind = MODELS[name]["kind"]
    if kind == "vision":
        return None
    if MODELS[name]["tiny"]:
        return TINY_VOCAB
    return 30522 if kind == "bert" else 50257


def make_inputs(name, batch, seq=None, seed=INPUT_SEED):
    """Deterministic inputs as an ordered list of (name, numpy array).

    Images are N(0,1) float32; token ids uniform in [0, vocab) int64; BERT's mask is all
    ones except a few zeros at the end of each row (row b: ((b % 4) + 1) * max(1, S // 8)
    zeros, never the whole row), so padding is exercised.
    """
    spec = MODELS[name]
    rng = np.random.default_rng(seed)
    if spec["kind"] == "vision":
        hw = spec["image"]
        return [("input", rng.standard_normal((batch, 3, hw, hw), dtype=np.float32))]
    s = seq or spec["seq"]
    ids = rng.integers(0, vocab_size(name), size=(batch, s), dtype=np.int64)
    if spec["kind"] == "gpt2":
        return [("input_ids", ids)]
    mask = np.ones((batch, s), dtype=np.int64)
    for b in range(batch):
        pad = min(s - 1, ((b % 4) + 1) * max(1, s // 8))
        if pad > 0:
            mask[b, s - pad:] = 0
    return [("input_ids", ids), ("attention_mask", mask)]


def library_versions():
    out = {}
    for mod in ("torch", "torchvision", "timm", "transformers", "onnx", "onnxscript", "onnxruntime", "numpy"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception as e:  # not installed: say so instead of failing
            out[mod] = "unavailable (%s)" % type(e).__name__
    return out


def _randomize_batchnorm(model, torch):
    """Non-trivial BatchNorm statistics, so folding BN into the convolution is really tested
    (a fresh BN has mean 0, var 1, weight 1, bias 0). Scales stay near 1 to keep
    activations in range through 50 layers."""
    g = torch.Generator().manual_seed(SEED + 1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.8 + 0.4 * torch.rand(c, generator=g))
                m.bias.copy_(0.05 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.05 * torch.randn(c, generator=g))
                m.running_var.copy_(0.8 + 0.4 * torch.rand(c, generator=g))


def _hf_config(cls, attn, **kw):
    """A transformers config with the attention implementation set when asked for
    (the keyword exists since 4.36; older/newer spellings are tried too)."""
    if attn:
        try:
            cfg = cls(attn_implementation=attn, **kw)
        except TypeError:
            cfg = cls(**kw)
        try:
            cfg._attn_implementation = attn
        except Exception:
            pass
        return cfg
    return cls(**kw)


def _field(out, name, index):
    """A field of a transformers ModelOutput, or of the plain tuple older configs return."""
    value = getattr(out, name, None)
    return value if value is not None else out[index]


def build_model(name, attn=None):
    """The eval-mode torch module whose forward takes the ONNX inputs positionally (names
    as input_names(name)) and returns a tensor or tuple (order as output_names(name)).
    attn: transformers attention implementation ("eager", "sdpa") or None = library default."""
    import torch

    spec = MODELS[name]
    torch.manual_seed(SEED)
    kind = spec["kind"]
    if name == "resnet50":
        import torchvision

        inner = torchvision.models.resnet50(weights=None)
        _randomize_batchnorm(inner, torch)
    elif name == "resnet_tiny":
        from torchvision.models.resnet import Bottleneck, ResNet

        inner = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, width_per_group=16)
        _randomize_batchnorm(inner, torch)
    elif name == "vit_b16":
        import timm

        inner = timm.create_model("vit_base_patch16_224", pretrained=False)
    elif name == "vit_tiny":
        from timm.models.vision_transformer import VisionTransformer

        inner = VisionTransformer(img_size=64, patch_size=16, embed_dim=64, depth=2, num_heads=2,
                                  mlp_ratio=4.0, num_classes=10)
    elif kind == "bert":
        from transformers import BertConfig, BertModel

        kw = {}
        if spec["tiny"]:
            kw = dict(vocab_size=TINY_VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=256, max_position_embeddings=128)
        inner = BertModel(_hf_config(BertConfig, attn, **kw))
    elif kind == "gpt2":
        from transformers import GPT2Config, GPT2Model

        kw = {}
        if spec["tiny"]:
            kw = dict(vocab_size=TINY_VOCAB, n_positions=128, n_embd=64, n_layer=2, n_head=2)
        inner = GPT2Model(_hf_config(GPT2Config, attn, **kw))
    else:
        raise ValueError("unknown model %r" % name)

    if kind == "vision":
        class VisionNet(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input):  # noqa: A002 - the ONNX input name
                return self.m(input)

        model = VisionNet(inner)
    elif kind == "bert":
        class BertNet(torch.nn.Module):
            """Only tensors out (no ModelOutput), token_type_ids left to BERT's zeros buffer."""

            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                out = self.m(input_ids=input_ids, attention_mask=attention_mask)
                return _field(out, "last_hidden_state", 0), _field(out, "pooler_output", 1)

        model = BertNet(inner)
    else:
        class GPT2Net(torch.nn.Module):
            """Only last_hidden_state out and no KV cache: the cache objects in GPT-2's
            default output are what the dynamo exporter could not handle."""

            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids):
                out = self.m(input_ids=input_ids, use_cache=False)
                return _field(out, "last_hidden_state", 0)

        model = GPT2Net(inner)
    model.eval()
    return model


def attn_implementation(model):
    """What transformers actually uses (None for the vision models)."""
    cfg = getattr(getattr(model, "m", None), "config", None)
    if cfg is None:
        return None
    try:
        return cfg._attn_implementation
    except Exception:
        return None


def count_params(model):
    return int(sum(p.numel() for p in model.parameters()))
