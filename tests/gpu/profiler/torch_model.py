# A small PyTorch model for the `gpuscope kernels` vs ncu comparison: one
# forward pass of a conv + MLP + layer-norm network in fp32 (elementwise,
# reduction, convolution and GEMM kernels from cuDNN/cuBLAS/ATen).
import torch

torch.manual_seed(0)
dev = "cuda"
model = torch.nn.Sequential(
    torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(8),
    torch.nn.Flatten(), torch.nn.Linear(16 * 64, 512), torch.nn.GELU(), torch.nn.LayerNorm(512),
    torch.nn.Linear(512, 10), torch.nn.Softmax(dim=1)).to(dev).eval()
x = torch.randn(64, 3, 32, 32, device=dev)
with torch.no_grad():
    y = model(x)
torch.cuda.synchronize()
print("output", tuple(y.shape), float(y.sum()))
