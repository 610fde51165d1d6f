"""The PyTorch export (www/js/pytorch.js) against the lab itself.

For every case written by make_export_cases.mjs (one per structural choice of src/net.rs), the
generated script is run unchanged against a numpy stand-in of torch (tests/py/numpy_torch: not
PyTorch, a re-implementation of nn.Linear / LayerNorm / BatchNorm1d / state_dict loading from
PyTorch's documented semantics). Checks:
  - the script's Net() has exactly the lab's parameter names and shapes (lab.param_info()),
    plus BatchNorm buffers;
  - load_weights(strict) accepts the exported weights (embedded and companion-JSON variants);
  - its forward pass reproduces lab.predict() on 24 training points (softmax for classification),
    to 2e-4 absolute (the lab computes in f32, numpy in f64);
  - the script's main() runs and prints.
Needs numpy (pip install numpy) and node with pkg/ built. Run: python3 tests/py/test_pytorch_export.py
"""
import atexit
import contextlib
import importlib.util
import shutil
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "numpy_torch"))
import torch  # noqa: E402  (the numpy stand-in)

assert torch.__file__.startswith(os.path.join(HERE, "numpy_torch")), "must not pick up a real torch"

OUT = tempfile.mkdtemp(prefix="rl-torch-export-")
atexit.register(shutil.rmtree, OUT, True)
CASES = subprocess.run(["node", os.path.join(HERE, "make_export_cases.mjs"), OUT], check=True,
                       capture_output=True, text=True, cwd=ROOT).stdout.split()


def load_script(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class PyTorchExport(unittest.TestCase):
    def test_cases_exist(self):
        self.assertGreaterEqual(len(CASES), 10)


def make_test(case):
    def test(self):
        with open(os.path.join(OUT, case + ".expect.json")) as f:
            exp = json.load(f)
        for variant in (case, case + "_separate"):
            mod = load_script(os.path.join(OUT, variant + ".py"), "export_" + variant)
            model = mod.Net()
            sd = model.state_dict()
            params = {k: tuple(v.shape) for k, v in sd.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
            self.assertEqual(params, {p["name"]: tuple(p["shape"]) for p in exp["params"]}, "names and shapes")
            if variant.endswith("_separate"):
                with open(os.path.join(OUT, case + "_weights.json")) as f:
                    weights = json.load(f)
                self.assertIsNone(mod.WEIGHTS)
            else:
                weights = mod.WEIGHTS
            mod.load_weights(model, weights)
            model.eval()
            x = np.array(exp["x"], dtype=np.float64).reshape(-1, exp["d_in"])
            z = model(x)
            got = softmax(z) if exp["classification"] else z
            want = np.array(exp["out"]).reshape(got.shape)
            np.testing.assert_allclose(got, want, atol=2e-4, rtol=1e-3, err_msg=variant)
            self.assertGreater(float(np.abs(want).max()), 0.0)
            if not variant.endswith("_separate"):
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    mod.main()
                self.assertTrue(buf.getvalue().strip(), "main() prints the sample outputs")
    return test


for _c in CASES:
    setattr(PyTorchExport, "test_" + _c, make_test(_c))

if __name__ == "__main__":
    unittest.main(verbosity=2)
