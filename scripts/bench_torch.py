"""PyTorch CPU peer for scripts/bench: the same conv2d timings as moonbench, same output format.

Prints tab-separated lines `conv <name> <forward ms> <backward ms> <total ms> <total GFLOP/s>`.
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

for cin, cout in [(1, 32), (32, 64)]:
    batch, size, k = 64, 28, 3
    x = torch.randn(batch, cin, size, size, requires_grad=True)
    w = torch.randn(cout, cin, k, k, requires_grad=True)
    b = torch.randn(cout, requires_grad=True)
    dy = torch.randn(batch, cout, size, size)
    fwd, bwd, total = [], [], []
    warmup = 5
    for r in range(rounds + warmup):
        x.grad = w.grad = b.grad = None
        t0 = time.perf_counter()
        y = F.conv2d(x, w, b, padding="same")
        t1 = time.perf_counter()
        y.backward(dy)
        t2 = time.perf_counter()
        if r >= warmup:
            fwd.append(t1 - t0); bwd.append(t2 - t1); total.append(t2 - t0)
    flops = 3 * 2 * batch * cout * cin * k * k * size * size
    med = statistics.median
    print(f"conv\tconv {cin}->{cout} 3x3 same 28x28 b{batch}\t{med(fwd)*1e3:.2f}\t{med(bwd)*1e3:.2f}\t"
          f"{med(total)*1e3:.2f}\t{flops / med(total) / 1e9:.0f}", flush=True)
