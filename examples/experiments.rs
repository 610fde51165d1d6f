//! Runs the experiments of the Experiments page natively and prints their findings and timings.
//!   cargo run --release --example experiments -- [id|all] [reduced|default|full]
use residual_lab::experiments::{self, ExperimentId, Size, ALL};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse = |s: &str| serde_json::from_str::<ExperimentId>(&format!("\"{s}\"")).unwrap_or_else(|_| panic!("unknown experiment {s}"));
    let ids: Vec<ExperimentId> = match args.first().map(String::as_str) {
        None | Some("all") => ALL.to_vec(),
        Some(s) => s.split(',').map(parse).collect(),
    };
    let size: Size = serde_json::from_str(&format!("\"{}\"", args.get(1).map_or("reduced", String::as_str))).expect("size: reduced, default or full");
    for id in ids {
        let t0 = Instant::now();
        let units = experiments::units(id, size);
        let mut results = Vec::new();
        for (i, u) in units.iter().enumerate() {
            let t = Instant::now();
            let mut job = experiments::start(id, size, i).expect("start");
            while !job.advance().expect("advance") {}
            results.push(job.result());
            if std::env::var("VERBOSE").is_ok() {
                println!("  unit {i} {}: {:.2} s  {}", u.label, t.elapsed().as_secs_f64(), serde_json::to_string(&results[i]).unwrap().chars().take(400).collect::<String>());
            }
        }
        let s = experiments::summarize(id, size, &results).expect("summarize");
        println!("{id:?} ({size:?}): {:.1} s, {} units", t0.elapsed().as_secs_f64(), units.len());
        for f in &s.findings {
            println!("  {:<16} {:>10.4}   paper: {:<28} {}", f.key, f.measured, f.paper, f.label);
        }
    }
}
