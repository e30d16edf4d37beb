"""PyTorch CPU peer of bench/infer_memory.lua: inference speed under torch.inference_mode and a
training run's peak memory, same models and sizes.

Usage: bench_torch_infer.py MODEL MODE [THREADS]   (MODEL c | resnet, MODE infer | train)
Prints `infer <model> torch <samples/s>` or `memory <model> torch <peak resident MB>`
(ru_maxrss: the process's peak, the torch libraries included). Never imported by moonlab.
"""
import resource
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


def resnet18():
    # As moonlab's nn.resnet18 for small images: a 3x3 stem without max-pool, 64-128-256-512.
    layers = [nn.Conv2d(1, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def build(name):
    if name == "c":
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding="same"), nn.ReLU(),
                             nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 14 * 14, 128), nn.ReLU(), nn.Linear(128, 10)), 64, 60, 10000
    if name == "resnet":
        return resnet18(), 128, 8, 1024
    raise SystemExit(f"unknown model {name!r} (c, resnet)")


def main():
    name, mode = sys.argv[1], sys.argv[2]
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(1)
    model, batch, steps, n = build(name)
    if mode == "infer":
        model.eval()
        x = torch.rand(n, 1, 28, 28)
        with torch.inference_mode():
            for i in range(0, 256, 256):
                model(x[i:i + 256])
            times = []
            for _ in range(3):
                t = time.perf_counter()
                for i in range(0, n, 256):
                    model(x[i:i + 256])
                times.append(time.perf_counter() - t)
        print(f"infer {name} torch {n / statistics.median(times):.1f}", flush=True)
    elif mode == "train":
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        m = batch * steps
        x, y = torch.rand(m, 1, 28, 28), torch.arange(m) % 10
        model.train()
        for i in range(0, m, batch):
            loss = F.cross_entropy(model(x[i:i + batch]), y[i:i + batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss.item()
        print(f"memory {name} torch {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode!r} (infer, train)")


if __name__ == "__main__":
    main()
