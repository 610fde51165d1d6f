// Every call of the JS API, typed by pkg/residual_lab.d.ts, under `tsc --strict --noEmit` with
// a plain ES2022 target, no DOM lib and no skipLibCheck (tests/ts/tsconfig.json). Compiled, not
// run: tests/js/types.test.mjs runs tsc over this file. Each `@ts-expect-error` line is a
// mistake the types must catch (tsc fails when the line compiles).
import init, { initSync, Lab } from "../../pkg/residual_lab.js";
import type { LabConfig, ResolvedLabConfig, StepReport, Activation, TheoryProfileJs, DepthSweepJs, PhaseDiagramJs } from "../../pkg/residual_lab.js";

export async function everyCall(wasm: ArrayBuffer): Promise<number> {
  await init({ module_or_path: wasm });
  initSync({ module: wasm });
  const config: LabConfig = {
    model: { kind: "residual", depth: 8, width: 16, activation: "tanh", norm: "layer", norm_position: "pre", init: "he_normal", branch_scale: "learnable" },
    optimizer: { kind: "adamw", lr: 1e-3, weight_decay: 0.01, clip_norm: 1 },
    data: { name: "spiral", n: 128, classes: 3 },
    batch_size: 32, seed: 7,
  };
  // @ts-expect-error: a typo in an activation name does not compile
  const typo: LabConfig = { model: { activation: "tahn" } };
  void typo;
  using lab = new Lab(config);
  // the resolved config: every field present, readable under strict without checks
  const resolved: ResolvedLabConfig = lab.config();
  const depth: number = lab.config().model.depth;
  const act: Activation = resolved.model.activation;
  const lr: number = resolved.optimizer.lr;
  const r1: StepReport = lab.train_step();
  const r2: StepReport = lab.train(10);
  const grad0: number = r2.layers.grad_rms[0];
  const acc: number | null = r1.accuracy;
  const where: number | undefined = r2.diverged?.layer;
  const probe = lab.probe();
  const ev = lab.evaluate();
  const trainLoss: number = ev.train.loss;
  const p: Float32Array = lab.predict(new Float32Array([0.1, 0.2]));
  const grid: Float32Array = lab.predict_grid(16, [-1, 1, -1, 1]);
  const d = lab.data();
  const weights: Record<string, Float32Array> = lab.get_weights();
  lab.set_weights(weights);
  const grads = lab.gradients();
  const info = lab.param_info().map((x) => `${x.name} ${x.shape.join("x")} @${x.layer}`);
  lab.set_lr(5e-4);
  const steps: number = lab.step_count();
  const json: string = lab.to_json();
  const again = Lab.from_json(json);
  again.reset(3);
  again.free();
  const th: TheoryProfileJs = lab.theory();
  const q: Float32Array | null = th.second_moment;
  const sp = lab.jacobian_spectrum();
  const sweep: DepthSweepJs = lab.depth_sweep(4);
  lab.set_data(new Float32Array([0, 0, 1, 1, 0, 1, 1, 0]), [0, 1, 1, 0], 2);
  const pd: PhaseDiagramJs = Lab.phase_diagram("tanh", [0.5, 4], [0, 0.5], 8, 8);
  // the edge of chaos: a number, or null where there is none (as the README says)
  const crit: number | null = Lab.critical_sw2("relu", 0);
  // @ts-expect-error: an activation the core does not have does not compile
  Lab.critical_sw2("tahn", 0);
  // @ts-expect-error: critical_sw2 is number | null, not number
  const critNumber: number = Lab.critical_sw2("tanh", 0.1);
  void critNumber;
  return depth + lr + grad0 + (acc ?? 0) + (where ?? 0) + probe.loss + trainLoss + p[0] + grid[0] + d.d_in + Object.keys(grads).length
    + info.length + steps + (q?.[0] ?? 0) + sp.max + sweep.seeds + pd.nx + (crit ?? 0) + act.length;
}
