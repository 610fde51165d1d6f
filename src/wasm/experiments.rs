//! The Experiments page's binding (src/experiments/): units run in slices, results as plain
//! objects (arrays of numbers, not typed arrays: they go back to `Experiment.summarize` and
//! through postMessage unchanged). Only in the build with the `experiments` feature
//! (pkg/experiments/).

use super::args::*;
use super::views::*;
use js_sys::Array;
use wasm_bindgen::prelude::*;

fn experiment_args(id: JsValue, size: JsValue) -> Result<(crate::experiments::ExperimentId, crate::experiments::Size), JsError> {
    if !id.is_string() {
        return Err(invalid("id", format!("{} is not a string", describe(&id))));
    }
    let size = if size.is_undefined() || size.is_null() { JsValue::from_str("default") } else { size };
    if !size.is_string() {
        return Err(invalid("size", format!("{} is not a string", describe(&size))));
    }
    Ok((from_js(id, "id")?, from_js(size, "size")?))
}

/// The experiments of the Experiments page: their units and their summaries.
#[wasm_bindgen]
pub struct Experiment;

#[wasm_bindgen]
impl Experiment {
    /// The experiment ids, in the page's order.
    #[wasm_bindgen(unchecked_return_type = "ExperimentId[]")]
    pub fn ids() -> JsValue {
        to_js(&crate::experiments::ALL)
    }

    /// The units of experiment `id` at `size` ("reduced", "default" or "full"; default
    /// "default"): `[{ label, cost }]`, cost a relative amount of work.
    #[wasm_bindgen(unchecked_return_type = "{ label: string, cost: number }[]")]
    pub fn units(
        #[wasm_bindgen(unchecked_param_type = "ExperimentId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ExperimentSize")] size: JsValue,
    ) -> Result<JsValue, JsError> {
        let (id, size) = experiment_args(id, size)?;
        Ok(to_js(&crate::experiments::units(id, size)))
    }

    /// The findings (`{ key, label, paper, measured }`) and theory curves of experiment `id`
    /// from the results of all its units, in unit order (as `ExperimentUnit.result()` gave them).
    #[wasm_bindgen(unchecked_return_type = "ExperimentSummary")]
    pub fn summarize(
        #[wasm_bindgen(unchecked_param_type = "ExperimentId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ExperimentSize")] size: JsValue,
        #[wasm_bindgen(unchecked_param_type = "object[]")] results: JsValue,
    ) -> Result<JsValue, JsError> {
        let (id, size) = experiment_args(id, size)?;
        if !Array::is_array(&results) {
            return Err(invalid("results", format!("{} is not an array", describe(&results))));
        }
        // No field path here (path tracking would double the deserializer's code): the results
        // come from `ExperimentUnit.result()`, and serde's message names the field.
        let results = crate::experiments::UnitResult::list(id, serde_wasm_bindgen::Deserializer::from(results)).map_err(|e| de_error(e, "", "results"))?;
        Ok(to_js(&crate::experiments::summarize(id, size, &results).map_err(err)?))
    }
}

/// One unit of an experiment, run in slices: call `advance()` (about a tenth of a second of
/// work) until it returns true; `result()` is readable after every slice.
#[wasm_bindgen]
pub struct ExperimentUnit {
    job: Box<dyn crate::experiments::Job>,
}

#[wasm_bindgen]
impl ExperimentUnit {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ExperimentId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ExperimentSize")] size: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] unit: JsValue,
    ) -> Result<ExperimentUnit, JsError> {
        let (id, size) = experiment_args(id, size)?;
        let n = crate::experiments::units(id, size).len();
        let unit = int_arg("unit", &unit, 0.0, (n - 1) as f64, None)? as usize;
        Ok(ExperimentUnit { job: crate::experiments::start(id, size, unit).map_err(err)? })
    }

    /// Does the next slice of work; true once the unit is complete.
    pub fn advance(&mut self) -> Result<bool, JsError> {
        self.job.advance().map_err(err)
    }

    /// Fraction done, 0 to 1.
    pub fn progress(&self) -> f64 {
        self.job.progress()
    }

    /// What the unit measured so far (complete once `advance()` returned true).
    #[wasm_bindgen(unchecked_return_type = "ExperimentUnitResult")]
    pub fn result(&self) -> JsValue {
        to_js(&self.job.result())
    }
}
