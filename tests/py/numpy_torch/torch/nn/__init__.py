"""numpy stand-in for torch.nn (see torch/__init__.py): Module, Parameter, ModuleList, Linear,
LayerNorm, BatchNorm1d, with PyTorch's state_dict naming and strict loading."""
from collections import OrderedDict

import numpy as np

from . import functional  # noqa: F401


class Parameter(np.ndarray):
    def __new__(cls, data):
        return np.array(data, dtype=np.float64).view(cls)


class Module:
    def __init__(self):
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_params" not in self.__dict__:
            raise AttributeError("call super().__init__() first")
        if isinstance(value, Parameter):
            self._params[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, value):
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def state_dict(self, prefix=""):
        out = OrderedDict()
        for k, v in self._params.items():
            out[prefix + k] = v
        for k, v in self._buffers.items():
            out[prefix + k] = v
        for k, m in self._modules.items():
            out.update(m.state_dict(prefix + k + "."))
        return out

    def load_state_dict(self, state, strict=True):
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict: missing {missing}, unexpected {unexpected}")
        for k, v in state.items():
            v = np.asarray(v)
            if own[k].shape != v.shape:
                raise RuntimeError(f"size mismatch for {k}: copying a param with shape {v.shape}, "
                                   f"the shape in current model is {own[k].shape}")
            np.copyto(own[k], v)

    def eval(self):
        object.__setattr__(self, "training", False)
        for m in self._modules.values():
            m.eval()
        return self

    def __call__(self, *args):
        return self.forward(*args)


class ModuleList(Module):
    def __init__(self, modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __iter__(self):
        return iter(self._modules.values())

    def __len__(self):
        return len(self._modules)


class Linear(Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = Parameter(np.zeros((out_features, in_features)))
        self.bias = Parameter(np.zeros(out_features))

    def forward(self, x):
        return np.asarray(x) @ np.asarray(self.weight).T + np.asarray(self.bias)


class LayerNorm(Module):
    def __init__(self, width, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = Parameter(np.ones(width))
        self.bias = Parameter(np.zeros(width))

    def forward(self, x):
        x = np.asarray(x)
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * np.asarray(self.weight) + np.asarray(self.bias)


class BatchNorm1d(Module):
    def __init__(self, width, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = Parameter(np.ones(width))
        self.bias = Parameter(np.zeros(width))
        self.register_buffer("running_mean", np.zeros(width))
        self.register_buffer("running_var", np.ones(width))
        self.register_buffer("num_batches_tracked", np.zeros(()))

    def forward(self, x):
        x = np.asarray(x)
        if self.training:
            mu, var = x.mean(axis=0), x.var(axis=0)
        else:
            mu, var = self.running_mean, self.running_var
        return (x - mu) / np.sqrt(var + self.eps) * np.asarray(self.weight) + np.asarray(self.bias)
