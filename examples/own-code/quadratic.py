#!/usr/bin/env python3
"""A noisy objective with epochs, in seconds: the smallest program hpsearch can tune.

Its loss decays towards (x - 2)^2 + (y + 1)^2 as the epochs pass, plus noise that
shrinks with them: a search has to find x = 2, y = -1, and a pruner can tell a bad
configuration early. Standard library only; hpsearch runs it as

    python3 quadratic.py --x 0.31 --y -0.8      (examples/own-code/quadratic.yaml)
"""

import argparse
import math
import random

import hpsearch

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--y", type=float, required=True)
args = parser.parse_args()

p = hpsearch.params()
rng = random.Random(hpsearch.seed() or 0)
epochs = int(p.get("epochs", 10))
target = (args.x - 2) ** 2 + (args.y + 1) ** 2
for epoch in range(1, epochs + 1):
    decay = math.exp(-epoch / 3)
    loss = target + 5 * decay + rng.gauss(0, 0.1 * decay)
    if hpsearch.report(epoch, loss=loss):
        break
