"""PyTorch's side of bench/order_c.lua: the (c) model in a sample order fixed in a file.

Usage: compare_torch_order.py DIR SEED EPOCHS orders   writes DIR/orders.npy: EPOCHS rows of
                                                       torch.randperm(60000) from SEED (the order
                                                       bench_torch_train.py draws)
       compare_torch_order.py DIR SEED EPOCHS train    trains from moonlab's initial weights
                                                       (DIR/w<i>.npy) in DIR/orders.npy; prints
                                                       "torch epoch E loss L test A SECONDS"
Never imported by moonlab itself."""
import importlib.util
import os
import struct
import sys
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench", os.path.join(here, "bench_torch_train.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def save_npy(path, t):
    t = t.contiguous().float()
    shape = ", ".join(str(d) for d in t.shape) + ("," if t.dim() == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % shape
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path + ".part", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(bytes(t.untyped_storage()))
    os.replace(path + ".part", path)


def main():
    d, seed, epochs, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    if mode == "orders":
        os.makedirs(d, exist_ok=True)
        gen = torch.Generator().manual_seed(seed)
        save_npy(f"{d}/orders.npy", torch.stack([torch.randperm(60000, generator=gen) for _ in range(epochs)]))
        return
    if mode != "train":
        raise SystemExit(f"unknown mode {mode!r} (orders, train)")
    x, y = bench.load("train")
    xt, yt = bench.load("test")
    model, opt, batch = bench.build("c")
    bench.load_moonlab_weights(model, d)
    orders = bench.npy(f"{d}/orders.npy").long()
    t0 = time.perf_counter()
    for e in range(epochs):
        model.train()
        total = 0.0
        for i in range(0, len(y), batch):
            idx = orders[e][i:i + batch]
            total += bench.step(model, opt, x[idx], y[idx]) * len(idx)
        model.eval()
        with torch.no_grad():
            correct = sum((model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
                          for i in range(0, len(yt), 1000))
        print(f"torch epoch {e + 1} loss {total / len(y):.5f} test {correct / len(yt):.4f} "
              f"{time.perf_counter() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
