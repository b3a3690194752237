#!/usr/bin/env python3
"""Records the bundled example traces on a CUDA machine with the PyTorch profiler.

Real Kineto traces of inference (random weights; nothing is downloaded):
  resnet18_fp16_b8.pt.trace.json.gz   torchvision ResNet-18, fp16, batch 8, eager
  bert_small_fp16.pt.trace.json.gz    a 4-layer BERT encoder (transformers), fp16, seq 128
  resnet18_cudagraph.pt.trace.json.gz the ResNet-18 above replayed through a CUDA graph

Usage: python3 record_kineto_examples.py OUTDIR
"""
import gzip
import os
import shutil
import sys

import torch
import torchvision
from torch.profiler import ProfilerActivity, profile, record_function, schedule


def export_gz(prof, path):
    raw = path[:-3]
    prof.export_chrome_trace(raw)
    with open(raw, "rb") as f, gzip.open(path, "wb", compresslevel=9) as g:
        shutil.copyfileobj(f, g)
    os.remove(raw)
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


def run(model_fn, inputs, path, steps=4):
    sched = schedule(wait=1, warmup=2, active=steps, repeat=1)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], schedule=sched,
                 record_shapes=True) as prof:
        for _ in range(1 + 2 + steps):
            with record_function("inference"):
                out = model_fn(*inputs)
                torch.cuda.synchronize()
            prof.step()
    export_gz(prof, path)
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    dev = torch.device("cuda")
    print(torch.__version__, torch.cuda.get_device_name(0))

    resnet = torchvision.models.resnet18(weights=None).to(dev).half().eval()
    x = torch.randn(8, 3, 224, 224, device=dev, dtype=torch.half)
    with torch.inference_mode():
        run(resnet, (x,), os.path.join(out, "resnet18_fp16_b8.pt.trace.json.gz"))

    from transformers import BertConfig, BertModel
    cfg = BertConfig(num_hidden_layers=4, hidden_size=512, num_attention_heads=8,
                     intermediate_size=2048)
    bert = BertModel(cfg).to(dev).half().eval()
    ids = torch.randint(0, cfg.vocab_size, (4, 128), device=dev)
    with torch.inference_mode():
        run(lambda i: bert(input_ids=i), (ids,), os.path.join(out, "bert_small_fp16.pt.trace.json.gz"))

    # CUDA graph: capture the ResNet-18 forward once, then replay it.
    static_x = x.clone()
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.inference_mode():
        with torch.cuda.stream(s):
            for _ in range(3):
                resnet(static_x)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            static_y = resnet(static_x)
        run(lambda: g.replay(), (), os.path.join(out, "resnet18_cudagraph.pt.trace.json.gz"))


if __name__ == "__main__":
    main()
