"""A numpy stand-in for the few parts of PyTorch that Residual Lab's exported scripts use.

Not PyTorch: tensors are float64 numpy arrays, there is no autograd. It exists so the test can run
the generated script unchanged (same class and attribute names, same state_dict keys and shapes,
same load_state_dict(strict=True) checks) without downloading torch. Semantics follow PyTorch's
documentation: nn.Linear y = x W^T + b; LayerNorm and BatchNorm1d with biased batch variance and
eps inside the square root; BatchNorm1d in eval mode uses running statistics; F.gelu is exact.
"""
import contextlib

import numpy as np

from . import nn  # noqa: F401  (torch.nn)

float32 = np.float32
long = np.int64


def tensor(data, dtype=None):
    return np.array(data, dtype=np.float64)


def zeros(*shape):
    return np.zeros(shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape)


def ones(*shape):
    return np.ones(shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape)


def relu(x):
    return np.maximum(x, 0.0)


def tanh(x):
    return np.tanh(x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def rsqrt(x):
    return 1.0 / np.sqrt(x)


def mean(x, dim=None, keepdim=False):
    return np.mean(x, axis=dim, keepdims=keepdim)


def softmax(x, dim):
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


@contextlib.contextmanager
def no_grad():
    yield
