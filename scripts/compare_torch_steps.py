"""PyTorch's side of bench/steps_c.lua: the (c) model from moonlab's initial weights (OUT/w<i>.npy),
SGD lr 0.01 momentum 0.9, the first STEPS batches of 64 training images in order, EPOCHS times;
prints "step loss" per batch. Usage: compare_torch_steps.py OUT [STEPS] [EPOCHS]"""
import importlib.util
import os
import sys

import torch

spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(__file__), "bench_torch_train.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


out = sys.argv[1]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(2)
x, y = bench.load("train")
model, opt, _ = bench.build("c")
bench.load_moonlab_weights(model, out)
n = 0
for _ in range(epochs):
    for s in range(steps):
        n += 1
        print(n, "%.6f" % bench.step(model, opt, x[s * 64:(s + 1) * 64], y[s * 64:(s + 1) * 64]))
