"""PyTorch CPU peer for scripts/bench: the same conv2d timings as moonbench, same output format.

Prints tab-separated lines `conv <name> <forward ms> <backward ms> <total ms> <total GFLOP/s>`.
Arguments: threads, rounds, and `resnet` for ResNet-18's convolution shapes instead.
Backward computes the input, weight and bias gradients, like moonbench. Never imported by
moonlab itself; scripts/bench runs it only when torch is importable.
"""
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # e.g. "Failed to initialize NumPy" when numpy is absent

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 18
torch.set_num_threads(threads)
torch.manual_seed(0)

def time_conv(name, batch, cin, cout, k, stride, size, padding, bias):
    """Median forward, backward and total seconds of one convolution, and its GFLOP/s."""
    x = torch.randn(batch, cin, size, size, requires_grad=True)
    w = torch.randn(cout, cin, k, k, requires_grad=True)
    b = torch.randn(cout, requires_grad=True) if bias else None
    out = (size + 2 * padding - k) // stride + 1 if padding != "same" else size
    dy = torch.randn(batch, cout, out, out)
    fwd, bwd, total = [], [], []
    warmup = 3
    for r in range(rounds + warmup):
        x.grad = w.grad = None
        if b is not None:
            b.grad = None
        t0 = time.perf_counter()
        y = F.conv2d(x, w, b, stride=stride, padding=padding)
        t1 = time.perf_counter()
        y.backward(dy)
        t2 = time.perf_counter()
        if r >= warmup:
            fwd.append(t1 - t0); bwd.append(t2 - t1); total.append(t2 - t0)
    flops = 3 * 2 * batch * cout * cin * k * k * out * out
    med = statistics.median
    print(f"conv\t{name}\t{med(fwd)*1e3:.2f}\t{med(bwd)*1e3:.2f}\t"
          f"{med(total)*1e3:.2f}\t{flops / med(total) / 1e9:.0f}", flush=True)


if len(sys.argv) > 3 and sys.argv[3] == "resnet":
    # The distinct convolutions of ResNet-18 on 28x28 inputs, as moonbench's resnetCases.
    for cin, cout, k, s, size in [(1, 64, 3, 1, 28), (64, 64, 3, 1, 28),
                                  (64, 128, 3, 2, 28), (64, 128, 1, 2, 28), (128, 128, 3, 1, 14),
                                  (128, 256, 3, 2, 14), (128, 256, 1, 2, 14), (256, 256, 3, 1, 7),
                                  (256, 512, 3, 2, 7), (256, 512, 1, 2, 7), (512, 512, 3, 1, 4)]:
        time_conv(f"resnet {cin}->{cout} {k}x{k} s{s} {size}x{size} b128", 128, cin, cout, k, s, size, k // 2, False)
    sys.exit(0)

for cin, cout in [(1, 32), (32, 64)]:
    time_conv(f"conv {cin}->{cout} 3x3 same 28x28 b64", 64, cin, cout, 3, 1, 28, "same", True)
