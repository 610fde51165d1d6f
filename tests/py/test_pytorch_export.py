"""The PyTorch export (www/js/pytorch.js) against the lab, with real PyTorch as the oracle.

make_export_cases.mjs trains a lab per architecture (18 of them: every norm kind in each
position, every activation, Fixup with 1- and 2-layer branches, ReZero, learnable alpha,
orthogonal init, final norm, stem activation, plain nets with and without norm, 2 and 3
classes, regression; two of them untrained, where Fixup and ReZero zero whole gradients) and
writes the generated script beside what the lab computed. Each script is imported unchanged
under torch, and:
  - its Net() has exactly the lab's parameter names and shapes (lab.param_info()), and its
    load_weights() passes the exported weights through a strict load_state_dict, for the
    embedded and the companion-JSON variants;
  - eval mode, in float32 as the script builds it: softmax(logits) (classification) or the
    outputs (regression) reproduce lab.predict() on 24 training points (EVAL_ATOL, EVAL_RTOL);
  - train mode, in float64 from the lab's float32 weights (torch is the precise side): the
    script's loss_fn on the probe batch (the first batch_size training points, BatchNorm on
    the batch's statistics) reproduces lab.probe().loss, and the autograd gradient of every
    parameter reproduces lab.gradients() to GRAD_RTOL (1e-3) relative error per tensor; the
    BatchNorm running statistics after that forward match the lab's after a training step on
    the same batch;
  - the script's main() runs and prints.
The largest error of each kind is printed at the end. The lab's gradients are checked against
finite differences natively (tests/gradcheck.rs); this checks them, and the export, against
PyTorch's autograd. Needs the venv made by scripts/setup.sh (torch, numpy) and node with pkg/
built (scripts/build.sh).
Run: "${RL_VENV:-$HOME/.cache/residual-lab/venv}"/bin/python tests/py/test_pytorch_export.py
"""
import atexit
import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

OUT = tempfile.mkdtemp(prefix="rl-torch-export-")
atexit.register(shutil.rmtree, OUT, True)
CASES = subprocess.run(["node", os.path.join(HERE, "make_export_cases.mjs"), OUT], check=True,
                       capture_output=True, text=True, cwd=ROOT).stdout.split()

# Eval mode runs in float32 on both sides, with different summation orders (the lab's blocked
# products, torch's BLAS): outputs of order 1 differ by a few float32 ulps per layer (largest
# measured: 9e-7).
EVAL_ATOL, EVAL_RTOL = 1e-5, 1e-4
# Train mode: torch in float64 against the lab in float32.
# The lab sums its loss in float64 over float32 per-sample terms -log p_y = ln(sum_k e^(z_k - m))
# - (z_y - m): the logarithm of a float32 sum near 1 is off by up to a few float32 ulps of 1
# (6e-8) per sample, which dominates once the loss is near 0 (measured: a blobs net trained to
# a loss of 1.8e-4 was off by 1.1e-8, 6e-5 relative). Largest measured here: 1.4e-6 relative.
LOSS_RTOL, LOSS_ATOL = 1e-5, 1e-6
GRAD_RTOL = 1e-3  # ||g_torch - g_lab|| / ||g_torch|| per tensor
# Some tensors have a gradient that is zero in exact arithmetic: the bias of a Linear layer
# followed by BatchNorm (the batch mean removes any constant shift; torch's float64 value is
# about 1e-16 of the whole gradient), or nearly so: the scale of a BatchNorm followed by another
# BatchNorm (only the eps in var + eps lets it act; 1.4e-6 of the whole gradient here). The
# lab's float32 value is then the residue of a sum over the batch of terms that cancel: in the
# worst case batch_size * 6e-8 (float32's unit roundoff) = 2e-6 of the gradient flowing there.
# A relative test cannot hold for such tensors, so each tensor may also be off by GRAD_FLOOR
# times the norm of the whole gradient: 2e-6 with a factor 5 of margin (largest measured:
# 2.1e-7). For any tensor holding more than 1% of the gradient's norm, the floor adds at most
# 1e-3 of its own norm. (Exact zeros from ReZero's alpha = 0 or Fixup's zero head are exact
# on both sides.)
GRAD_FLOOR = 1e-5
# Running mean and variance after the train-mode forward, against the lab's after its step,
# relative to the largest entry (largest measured: 1e-7).
RUNNING_RTOL = 1e-5

WORST = {}  # check -> (value, where): the largest error of each kind, printed at the end
COUNTS = {"gradient tensors compared": 0, "of them under the floor": 0}


def note(check, value, where):
    if value > WORST.get(check, (-1.0, ""))[0]:
        WORST[check] = (value, where)


def load_script(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def expected(case):
    with open(os.path.join(OUT, case + ".expect.json")) as f:
        return json.load(f)


def companion_weights(case):
    with open(os.path.join(OUT, case + "_weights.json")) as f:
        return json.load(f)


BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


class PyTorchExport(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        print(f"{len(CASES)} architectures; " + ", ".join(f"{n} {what}" for what, n in COUNTS.items()), file=sys.stderr)
        for check, (value, where) in sorted(WORST.items()):
            print(f"largest {check}: {value:.2e} ({where})", file=sys.stderr)

    def test_cases_cover_every_structural_choice(self):
        models = [expected(c)["config"]["model"] for c in CASES]
        self.assertGreaterEqual(len(CASES), 12)
        res = [m for m in models if m["kind"] == "residual"]
        for norm in ("batch", "layer", "rms"):
            for pos in ("pre", "post"):
                self.assertTrue(any(m["norm"] == norm and m["norm_position"] == pos for m in res), f"residual {pos}-{norm}")
        for act in ("relu", "leaky_relu", "tanh", "linear", "gelu", "sigmoid"):
            self.assertIn(act, [m["activation"] for m in models])
        for layers in (1, 2):
            self.assertTrue(any(m["init"] == "fixup" and m["branch_layers"] == layers for m in res), f"fixup, {layers}-layer branch")
        self.assertTrue(any(m["init"] == "rezero" for m in res))
        self.assertTrue(any(m["branch_scale"] == "learnable" for m in res))
        self.assertTrue(any(m["init"] == "orthogonal" for m in models))
        self.assertTrue(any(m["final_norm"] for m in models))
        self.assertTrue(any(m["stem_activation"] for m in models))
        plain_norms = {m["norm"] != "none" for m in models if m["kind"] == "plain"}
        self.assertEqual(plain_norms, {True, False}, "plain nets with and without norm")
        exps = [expected(c) for c in CASES]
        self.assertTrue(any(not e["classification"] for e in exps), "regression")
        self.assertTrue(any(e["classification"] and e["d_out"] == 3 for e in exps), "3 classes")


def make_eval_test(case):
    def test(self):
        exp = expected(case)
        for variant in (case, case + "_separate"):
            with self.subTest(variant=variant):
                mod = load_script(os.path.join(OUT, variant + ".py"), "export_" + variant)
                model = mod.Net()
                params = {k: tuple(v.shape) for k, v in model.state_dict().items() if not k.endswith(BN_BUFFERS)}
                self.assertEqual(params, {p["name"]: tuple(p["shape"]) for p in exp["params"]}, "names and shapes")
                if variant.endswith("_separate"):
                    self.assertIsNone(mod.WEIGHTS)
                    weights = companion_weights(case)
                else:
                    weights = mod.WEIGHTS
                mod.load_weights(model, weights)  # load_state_dict(strict=True) inside
                model.eval()
                with torch.no_grad():
                    z = model(torch.tensor(exp["eval_x"], dtype=torch.float32).reshape(-1, exp["d_in"]))
                got = (torch.softmax(z, dim=-1) if exp["classification"] else z).numpy().astype(np.float64)
                want = np.array(exp["eval_out"]).reshape(got.shape)
                self.assertGreater(float(np.abs(want).max()), 0.0)
                note("eval |torch - lab| (float32)", float(np.abs(got - want).max()), variant)
                np.testing.assert_allclose(got, want, atol=EVAL_ATOL, rtol=EVAL_RTOL, err_msg=variant)
                if not variant.endswith("_separate"):
                    buf = io.StringIO()
                    with contextlib.redirect_stdout(buf):
                        mod.main()
                    self.assertTrue(buf.getvalue().strip(), "main() prints the sample outputs")
    return test


def make_train_test(case):
    def test(self):
        exp = expected(case)
        mod = load_script(os.path.join(OUT, case + "_separate.py"), "train_" + case)
        model = mod.load_weights(mod.Net(), companion_weights(case)).double().train()
        x = torch.tensor(exp["probe_x"], dtype=torch.float64).reshape(-1, exp["d_in"])
        self.assertEqual(x.shape[0], mod.BATCH_SIZE, "the probe batch is one mini-batch")
        if exp["classification"]:
            y = torch.tensor(exp["probe_y"], dtype=torch.int64)
        else:
            y = torch.tensor(exp["probe_y"], dtype=torch.float64).reshape(-1, exp["d_out"])
        loss = mod.loss_fn(model(x), y)
        loss.backward()

        loss_err = abs(loss.item() - exp["probe_loss"])
        note("loss relative error", loss_err / abs(loss.item()), case)
        note("loss absolute error", loss_err, case)
        self.assertLessEqual(loss_err, LOSS_RTOL * abs(loss.item()) + LOSS_ATOL, f"loss: torch {loss.item()}, lab {exp['probe_loss']}")

        grads = {k: p.grad for k, p in model.named_parameters()}
        self.assertEqual(set(grads), set(exp["gradients"]), "parameter names")
        total = float(torch.sqrt(sum((g * g).sum() for g in grads.values())))
        self.assertGreater(total, 0.0)
        for name, g in grads.items():
            g_torch = g.numpy().ravel()
            g_lab = np.array(exp["gradients"][name], dtype=np.float64)
            err = float(np.linalg.norm(g_torch - g_lab))
            scale = float(np.linalg.norm(g_torch))
            COUNTS["gradient tensors compared"] += 1
            if scale <= GRAD_FLOOR * total:
                COUNTS["of them under the floor"] += 1
                note("gradient error of an exactly-zero tensor / ||whole gradient||", err / total, f"{case} {name}")
                self.assertLessEqual(err, GRAD_FLOOR * total, f"{name}: ||g_lab|| = {err:.3g}, ||whole gradient|| = {total:.3g}")
                continue
            note("gradient relative error", err / scale, f"{case} {name}")
            self.assertLessEqual(err, GRAD_RTOL * scale + GRAD_FLOOR * total,
                                 f"{name}: ||g_torch - g_lab|| = {err:.3g}, ||g_torch|| = {scale:.3g}, ||whole gradient|| = {total:.3g}")

        bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
        after = exp["running_after"]
        self.assertEqual(sum(2 * m.num_features for m in bns), len(after))
        k = 0
        for m in bns:  # modules() walks them in forward order, as the lab stores them
            w = m.num_features
            for got, want in ((m.running_mean, after[k:k + w]), (m.running_var, after[k + w:k + 2 * w])):
                err = float(np.abs(got.numpy() - np.array(want)).max() / np.abs(np.array(want)).max())
                note("BatchNorm running statistics error / max", err, case)
                self.assertLessEqual(err, RUNNING_RTOL)
            k += 2 * w
    return test


for _c in CASES:
    setattr(PyTorchExport, "test_eval_" + _c, make_eval_test(_c))
    setattr(PyTorchExport, "test_train_" + _c, make_train_test(_c))

if __name__ == "__main__":
    unittest.main(verbosity=2)
