#!/usr/bin/env python3
"""A small PyTorch CNN on Fashion-MNIST, tuned by hpsearch (examples/own-code/fashion_cnn.yaml).

conv(c, 3x3, same) -> relu -> max pool 2 -> conv(2c, 3x3, same) -> relu -> max pool 2
-> dropout -> dense 128 -> relu -> dense 10, Adam, cross-entropy. It trains on the first
`train_size` training images, validates on the last 5,000 (never trained on), reports
val_loss and val_accuracy each epoch (stopping when hpsearch prunes it), and the test
accuracy on the 10,000 test images at the end. Needs Debian's python3-torch and
dataset-fashion-mnist (scripts/setup.sh --torch); hpsearch runs it as

    python3 fashion_cnn.py --lr 0.001 --channels 32 --dropout 0.25 --batch-size 64
"""

import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn as nn

import hpsearch

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
VALIDATION = 5000

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--channels", type=int, required=True)
parser.add_argument("--dropout", type=float, required=True)
parser.add_argument("--batch-size", type=int, required=True)
args = parser.parse_args()
p = hpsearch.params()
epochs = int(p.get("epochs", 3))
train_size = int(p.get("train_size", 60000 - VALIDATION))


def idx(name, offset):
    """An IDX file of the dataset as a uint8 array (images: offset 16, labels: 8)."""
    with gzip.open(os.path.join(DATA, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(name):
    x = torch.from_numpy(idx(name, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    return (x - 0.2860) / 0.3530  # the training set's mean and std


x_all, y_all = images("train-images-idx3-ubyte.gz"), torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
x_train, y_train = x_all[:min(train_size, 60000 - VALIDATION)], y_all[:min(train_size, 60000 - VALIDATION)]
x_val, y_val = x_all[-VALIDATION:], y_all[-VALIDATION:]
x_test = images("t10k-images-idx3-ubyte.gz")
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))

torch.set_num_threads(int(os.environ.get("HPSEARCH_SLOTS", "1")))
torch.manual_seed(hpsearch.seed() or 0)
c = args.channels
net = nn.Sequential(
    nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Dropout(args.dropout), nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
loss_fn = nn.CrossEntropyLoss()


def evaluate(x, y):
    net.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(x), 1000):
            out = net(x[s:s + 1000])
            loss += loss_fn(out, y[s:s + 1000]).item() * len(out)
            correct += (out.argmax(1) == y[s:s + 1000]).sum().item()
    return loss / len(x), correct / len(x)


print(f"{sum(t.numel() for t in net.parameters())} parameters, {len(x_train)} training images", flush=True)
for epoch in range(1, epochs + 1):
    net.train()
    order = torch.randperm(len(x_train))
    total = 0.0
    for s in range(0, len(order), args.batch_size):
        batch = order[s:s + args.batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    val_loss, val_accuracy = evaluate(x_val, y_val)
    print(f"epoch {epoch}: train_loss {total / len(order):.4f} val_accuracy {val_accuracy:.4f}", flush=True)
    if hpsearch.report(epoch, train_loss=total / len(order), val_loss=val_loss, val_accuracy=val_accuracy):
        break  # pruned (or stopped): hpsearch has what it needs
else:
    test_loss, test_accuracy = evaluate(x_test, y_test)
    hpsearch.final(val_loss=val_loss, val_accuracy=val_accuracy, test_loss=test_loss, test_accuracy=test_accuracy)
