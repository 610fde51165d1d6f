"""numpy stand-in for torch.nn.functional (see torch/__init__.py)."""
import math

import numpy as np

_erf = np.vectorize(math.erf)


def gelu(x):
    x = np.asarray(x)
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def leaky_relu(x, negative_slope=0.01):
    x = np.asarray(x)
    return np.where(x > 0, x, negative_slope * x)
