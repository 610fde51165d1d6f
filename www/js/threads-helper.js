// The helper thread of the threads build (pkg/threads/, started by threads.js): instantiates
// the core on the caller's shared memory and then computes half of every large matrix product
// (src/pool.rs) for as long as the page lives. `run_helper` never returns.
self.onmessage = async ({ data }) => {
  const core = await import(data.js);
  await core.default({ module_or_path: data.module, memory: data.memory });
  self.postMessage("started");
  core.run_helper();
};
