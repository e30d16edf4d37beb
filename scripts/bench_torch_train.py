"""PyTorch CPU peer for scripts/bench --train: the training recipes of bench/train.lua.

Usage: bench_torch_train.py MODEL MODE [THREADS] [EPOCHS] [SEED] [SHUFFLE]
  MODEL  a | b | c | d | r (the models of the training benchmark, r ResNet-18; see bench/train.lua)
  MODE   speed     prints `train <model> torch speed <samples/s>` for each of 3 timed windows
         epochs    prints `train <model> torch epochs <samples/s>`: 3 epochs minus 1 on a subset
         accuracy  trains EPOCHS (default 10) epochs and prints
                   `train <model> torch accuracy <test accuracy> <seconds> <samples/s>`;
                   with MOONLAB_BENCH_EPOCHS set, also `epoch <model> torch <k> <test accuracy> <seed>`
                   after every epoch (as bench/train.lua does)
  SHUFFLE  after (default)  the shuffle generator is seeded from the global stream after the
                            initial weights are drawn: one stream, weights then shuffles, as in moonlab
           same             the shuffle generator is seeded with SEED itself, so the first shuffles
                            replay the Mersenne-Twister stream that drew the weights (this script's
                            recipe before 2026-12-06)

The recipe is moonlab's: Fashion-MNIST from the IDX files scaled to [0, 1], a new shuffle of
the training set every epoch (the last batch may be short), Keras-style initialisation
(glorot_uniform kernels, zero biases), cross-entropy from logits, the optimizer settings of
the benchmark; Adam with Keras' epsilon 1e-7, BatchNorm with Keras' momentum 0.99 and eps 1e-3.
A training step is: forward, loss, zero_grad, backward, step, loss.item() (moonlab's fit reads
the loss every batch too). Never imported by moonlab itself; scripts/bench runs it only when
torch is importable.
"""
import ast
import gzip
import os
import statistics
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # e.g. "Failed to initialize NumPy" when numpy is absent

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.environ.get("MOONLAB_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")

# Batches per timed window, and warm-up batches before the first window (same as bench/train.lua).
WINDOW = {"a": 400, "b": 20, "c": 50, "d": 50, "r": 4}
WARMUP = {"a": 50, "b": 4, "c": 8, "d": 8, "r": 1}
SUBSET = {"a": 12800, "b": 12800, "c": 3200, "d": 3200, "r": 1280}  # images of the epochs mode


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    data = torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8)
    return data.reshape(shape)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz").float().div_(255).reshape(-1, 1, 28, 28)
    y = idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz").long()
    return x.contiguous(), y


def npy(path):
    """A float32 .npy file as a tensor (the weights and orders moonlab writes with data.save_npy);
    for the comparison scripts beside this one, which must not need numpy."""
    raw = open(path, "rb").read()
    size = struct.unpack("<H", raw[8:10])[0]
    header = ast.literal_eval(raw[10:10 + size].decode())
    if header["descr"] != "<f4" or header["fortran_order"]:
        raise SystemExit(f"{path}: expected a C-order float32 array, got {header}")
    return torch.frombuffer(bytearray(raw[10 + size:]), dtype=torch.float32).reshape(header["shape"]).clone()


def load_moonlab_weights(model, folder):
    """Copies moonlab's weights (folder/w<i>.npy, in model:parameters() order) into `model`."""
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            w = npy(f"{folder}/w{i + 1}.npy")
            p.copy_(w.t() if p.dim() == 2 else w)   # Dense kernels are {in, units}, Linear weights {out, in}


def keras_init(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)  # glorot_uniform with Keras' fans for both kinds
            nn.init.zeros_(m.bias)


def build(name):
    if name == "a":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                              nn.Linear(64, 10))
        opt = lambda p: torch.optim.SGD(p, lr=0.1)
        batch = 32
    elif name == "b":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.ReLU(), nn.Dropout(0.6),
                              nn.Linear(1024, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
        opt = lambda p: torch.optim.Adam(p, lr=2.5e-4, eps=1e-7)
        batch = 512
    elif name == "c":
        model = nn.Sequential(nn.Conv2d(1, 32, 3, padding="same"), nn.ReLU(),
                              nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(64 * 14 * 14, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)
        batch = 64
    elif name == "d":  # ccpdnff: moonlab's nn.from_code("ccpdnff") (valid padding)
        model = nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.Conv2d(32, 128, 5), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Dropout(0.1), nn.BatchNorm2d(128, eps=1e-3, momentum=0.01), nn.Flatten(),
                              nn.Linear(128 * 10 * 10, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = lambda p: torch.optim.Adam(p, lr=1e-4, eps=1e-7)
        batch = 32
    elif name == "r":  # moonlab's nn.resnet18 for 1x28x28 inputs (its own He initialisation there)
        from bench_torch_infer import resnet18
        model = resnet18()
        opt = lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)
        batch = 128
        return model, opt(model.parameters()), batch
    else:
        raise SystemExit(f"unknown model {name!r} (a, b, c, d, r)")
    keras_init(model)
    return model, opt(model.parameters()), batch


def batches(n, batch, generator):
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch):
        yield perm[i:i + batch]


def step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def main():
    name, mode = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    shuffle = sys.argv[6] if len(sys.argv) > 6 else "after"
    if shuffle not in ("after", "same"):
        raise SystemExit(f"unknown SHUFFLE {shuffle!r} (after, same)")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x, y = load("train")
    model, opt, batch = build(name)
    if shuffle == "same":
        gen = torch.Generator().manual_seed(seed)
    else:
        gen = torch.Generator().manual_seed(int(torch.randint(0, 2 ** 62, (1,)).item()))
    model.train()
    if mode == "speed":
        window, warmup = WINDOW[name], WARMUP[name]
        marks, done = [], 0
        while len(marks) < 4:
            for idx in batches(len(y), batch, gen):
                if done == warmup or (done > warmup and (done - warmup) % window == 0):
                    marks.append((time.perf_counter(), done))
                    if len(marks) == 4:
                        break
                step(model, opt, x[idx], y[idx])
                done += 1
        for (t0, b0), (t1, b1) in zip(marks, marks[1:]):
            print(f"train\t{name}\ttorch\tspeed\t{(b1 - b0) * batch / (t1 - t0):.1f}", flush=True)
    elif mode == "accuracy":
        xt, yt = load("test")

        def test_accuracy():
            model.eval()
            correct = 0
            with torch.no_grad():
                for i in range(0, len(yt), 1000):
                    correct += (model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
            return correct / len(yt)

        every_epoch = os.environ.get("MOONLAB_BENCH_EPOCHS") is not None
        t0 = time.perf_counter()
        for epoch in range(1, epochs + 1):
            model.train()
            for idx in batches(len(y), batch, gen):
                step(model, opt, x[idx], y[idx])
            if every_epoch:
                print(f"epoch\t{name}\ttorch\t{epoch}\t{test_accuracy():.4f}\t{seed}", flush=True)
        seconds = time.perf_counter() - t0
        print(f"train\t{name}\ttorch\taccuracy\t{test_accuracy():.4f}\t{seconds:.1f}\t"
              f"{epochs * len(y) / seconds:.1f}\t{seed}", flush=True)
    elif mode == "epochs":
        # As bench/train.lua: 3 epochs minus 1 on the first SUBSET images, per sample.
        n = SUBSET[name]
        xs, ys = x[:n], y[:n]

        def timed(epochs):
            t0 = time.perf_counter()
            for _ in range(epochs):
                for idx in batches(n, batch, gen):
                    step(model, opt, xs[idx], ys[idx])
            return time.perf_counter() - t0

        one = timed(1)
        three = timed(3)
        print(f"train\t{name}\ttorch\tepochs\t{2 * n / (three - one):.1f}", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode!r} (speed, accuracy, epochs)")


if __name__ == "__main__":
    main()
