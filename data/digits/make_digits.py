"""Writes digits.bin, the 8x8 handwritten digits the lab ships (src/digits.rs reads it).

Source: scikit-learn's copy of the test set of the UCI "Optical Recognition of Handwritten
Digits" data (E. Alpaydin, C. Kaynak, 1998;
https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits), CC BY 4.0;
1,797 images of 8x8 pixels, each pixel an integer in 0..16 (the count of "on" pixels in a 4x4
block of a 32x32 bitmap), 10 classes. Samples are kept in scikit-learn's order.

Format (all little-endian):
  bytes 0..8    magic b"RLDIGIT1"
  bytes 8..10   n, u16 (1797)
  then n records of 41 bytes: the label (u8, 0..9), then the 64 pixels in row-major order,
  5 bits each (17 values need 5 bits), packed least significant bit first: pixel p occupies
  bits 5p .. 5p+4 of the 40-byte little-endian bit string.

Run: python -m venv v && v/bin/pip install scikit-learn && v/bin/python make_digits.py
It also prints the checks that tests/digits.rs compares with (class counts, pixel sums).
"""
import hashlib
import numpy as np
from sklearn.datasets import load_digits

d = load_digits()
x = d.data.astype(np.int64)
y = d.target.astype(np.int64)
assert x.shape == (1797, 64) and x.min() == 0 and x.max() == 16

out = bytearray(b"RLDIGIT1")
out += len(y).to_bytes(2, "little")
for img, label in zip(x, y):
    bits = 0
    for p, v in enumerate(img):
        bits |= int(v) << (5 * p)
    out.append(int(label))
    out += bits.to_bytes(40, "little")
open("digits.bin", "wb").write(out)

print("bytes", len(out), "sha256", hashlib.sha256(out).hexdigest())
print("class counts", np.bincount(y).tolist())
print("pixel sum", int(x.sum()), "sum of squares", int((x * x).sum()))
print("first image", x[0].tolist(), "label", int(y[0]))
print("last image sum", int(x[-1].sum()), "label", int(y[-1]))
print("per-class pixel sums", [int(x[y == k].sum()) for k in range(10)])
