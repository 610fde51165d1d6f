//! Eight classic experiments of the depth literature, each run on the core at a chosen size
//! and summarised as the number the paper reported (page `www/experiments.html`).
//!
//! An experiment is a list of independent *units* (one net to train, one grid cell, one
//! configuration probed over seeds), so a page can spread them over workers. A unit runs as a
//! [`Job`] in slices (`advance`), each about a tenth of a second in the browser, and its
//! [`UnitResult`] can be read after every slice, so charts fill in while it runs. [`summarize`]
//! turns the results of all units into the headline [`Finding`]s and the theory curves to draw
//! beside the measurement. Everything is seeded: the same experiment, size and unit give the
//! same numbers natively and in wasm.

mod common;
pub mod amplification;
pub mod degradation;
pub mod isometry;
pub mod lesions;
pub mod rank;
pub mod shattered;
pub mod tat;
pub mod trainability;

use crate::error::{LabError, Result};
use serde::{Deserialize, Serialize};

pub use common::{tail, Curve, Finding, NamedCurve, Summary};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentId {
    /// Schoenholz et al. 2017: trainable depth follows 6 xi_c.
    Trainability,
    /// Veit et al. 2016: residual nets survive deleted blocks; paths are short.
    Lesions,
    /// Pennington et al. 2017: orthogonal critical tanh is dynamically isometric.
    Isometry,
    /// Balduzzi et al. 2017: the input gradient of deep plain nets is white noise.
    Shattered,
    /// Daneshmand et al. 2020; Noci et al. 2022: representations collapse to rank one.
    RankCollapse,
    /// Martens et al. 2021; Zhang et al. 2022: tailored activations train deep plain nets.
    Tat,
    /// He et al. 2016: deeper plain nets with BatchNorm train worse; residual nets do not.
    Degradation,
    /// Liu et al. 2020: post-LN amplifies parameter changes with depth; pre-LN does not.
    Amplification,
}

pub const ALL: [ExperimentId; 8] = [
    ExperimentId::Trainability,
    ExperimentId::Lesions,
    ExperimentId::Isometry,
    ExperimentId::Shattered,
    ExperimentId::RankCollapse,
    ExperimentId::Tat,
    ExperimentId::Degradation,
    ExperimentId::Amplification,
];

/// How big a run is: `reduced` for the tests (seconds natively), `default` for the page (at
/// most two minutes on two cores), `full` closer to the paper's scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    Reduced,
    Default,
    Full,
}

/// One unit of an experiment, as a page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub label: String,
    /// Relative cost (about the multiply-adds it does), for scheduling the biggest first and
    /// weighting the progress bar.
    pub cost: f64,
}

/// A unit being run: call `advance` until it returns true.
pub trait Job {
    /// Does the next slice of work; true when the unit is complete.
    fn advance(&mut self) -> Result<bool>;
    /// Fraction done, 0 to 1.
    fn progress(&self) -> f64;
    /// The result so far (complete once `advance` returned true).
    fn result(&self) -> UnitResult;
}

/// What one unit measured. Serializes as the experiment's own struct (untagged); a list of them
/// is read back per experiment with [`UnitResult::list`], so no tagged-enum machinery is needed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UnitResult {
    Trainability(trainability::Cell),
    Lesions(lesions::NetLesions),
    Isometry(isometry::Net),
    Shattered(shattered::Config),
    RankCollapse(rank::Variant),
    Tat(tat::Net),
    Degradation(degradation::Net),
    Amplification(amplification::Point),
}

impl UnitResult {
    /// Reads the results of experiment `id` (a sequence of its unit structs) from any serde
    /// deserializer: JSON text natively, JS values in wasm.
    pub fn list<'de, D: serde::Deserializer<'de>>(id: ExperimentId, d: D) -> std::result::Result<Vec<UnitResult>, D::Error> {
        fn wrap<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(d: D, f: fn(T) -> UnitResult) -> std::result::Result<Vec<UnitResult>, D::Error> {
            Ok(Vec::<T>::deserialize(d)?.into_iter().map(f).collect())
        }
        match id {
            ExperimentId::Trainability => wrap(d, UnitResult::Trainability),
            ExperimentId::Lesions => wrap(d, UnitResult::Lesions),
            ExperimentId::Isometry => wrap(d, UnitResult::Isometry),
            ExperimentId::Shattered => wrap(d, UnitResult::Shattered),
            ExperimentId::RankCollapse => wrap(d, UnitResult::RankCollapse),
            ExperimentId::Tat => wrap(d, UnitResult::Tat),
            ExperimentId::Degradation => wrap(d, UnitResult::Degradation),
            ExperimentId::Amplification => wrap(d, UnitResult::Amplification),
        }
    }
}

/// The units of an experiment at a size.
pub fn units(id: ExperimentId, size: Size) -> Vec<UnitInfo> {
    match id {
        ExperimentId::Trainability => trainability::units(size),
        ExperimentId::Lesions => lesions::units(size),
        ExperimentId::Isometry => isometry::units(size),
        ExperimentId::Shattered => shattered::units(size),
        ExperimentId::RankCollapse => rank::units(size),
        ExperimentId::Tat => tat::units(size),
        ExperimentId::Degradation => degradation::units(size),
        ExperimentId::Amplification => amplification::units(size),
    }
}

/// Starts unit `unit` of an experiment.
pub fn start(id: ExperimentId, size: Size, unit: usize) -> Result<Box<dyn Job>> {
    let n = units(id, size).len();
    if unit >= n {
        return Err(LabError::invalid("unit", format!("{unit} is out of range; {id:?} has {n} units at this size")));
    }
    Ok(match id {
        ExperimentId::Trainability => Box::new(trainability::start(size, unit)?),
        ExperimentId::Lesions => Box::new(lesions::start(size, unit)?),
        ExperimentId::Isometry => Box::new(isometry::start(size, unit)?),
        ExperimentId::Shattered => Box::new(shattered::start(size, unit)?),
        ExperimentId::RankCollapse => Box::new(rank::start(size, unit)?),
        ExperimentId::Tat => Box::new(tat::start(size, unit)?),
        ExperimentId::Degradation => Box::new(degradation::start(size, unit)?),
        ExperimentId::Amplification => Box::new(amplification::start(size, unit)?),
    })
}

/// The findings from the results of every unit (in unit order).
pub fn summarize(id: ExperimentId, size: Size, results: &[UnitResult]) -> Result<Summary> {
    let n = units(id, size).len();
    if results.len() != n {
        return Err(LabError::invalid("results", format!("has {} entries; {id:?} has {n} units at this size", results.len())));
    }
    macro_rules! take {
        ($variant:ident) => {
            results
                .iter()
                .enumerate()
                .map(|(i, r)| match r {
                    UnitResult::$variant(x) => Ok(x.clone()),
                    _ => Err(LabError::invalid(format!("results[{i}]"), format!("is not a result of {id:?}"))),
                })
                .collect::<Result<Vec<_>>>()?
        };
    }
    Ok(match id {
        ExperimentId::Trainability => trainability::summarize(size, &take!(Trainability)),
        ExperimentId::Lesions => lesions::summarize(size, &take!(Lesions)),
        ExperimentId::Isometry => isometry::summarize(size, &take!(Isometry)),
        ExperimentId::Shattered => shattered::summarize(size, &take!(Shattered)),
        ExperimentId::RankCollapse => rank::summarize(size, &take!(RankCollapse)),
        ExperimentId::Tat => tat::summarize(size, &take!(Tat)),
        ExperimentId::Degradation => degradation::summarize(size, &take!(Degradation)),
        ExperimentId::Amplification => amplification::summarize(size, &take!(Amplification)),
    })
}

/// Runs every unit of an experiment to completion, one after the other, and summarises
/// (natively: the tests and `examples/experiments.rs`).
pub fn run(id: ExperimentId, size: Size) -> Result<(Vec<UnitResult>, Summary)> {
    let mut results = Vec::new();
    for unit in 0..units(id, size).len() {
        let mut job = start(id, size, unit)?;
        while !job.advance()? {}
        results.push(job.result());
    }
    let summary = summarize(id, size, &results)?;
    Ok((results, summary))
}
