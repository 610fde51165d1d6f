//! Prints the losses of the first N training steps of a config, as a JSON array with full
//! f64 precision. The native side of the determinism test (tests/js/determinism.test.mjs),
//! which compares them bit for bit with the wasm build's.
//!
//!     cargo run --release --example losses -- '{"model":{"depth":4}}' 100

use residual_lab::{Config, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let json = args.next().ok_or("usage: losses '<config json>' [steps]")?;
    let steps: usize = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("steps {s:?}: {e}"))?,
        None => 100,
    };
    let mut trainer = Trainer::new(Config::from_json(&json)?)?;
    let losses: Vec<f64> = (0..steps).map(|_| trainer.step().loss).collect();
    // serde_json writes the shortest representation that round-trips, so JS parses it back
    // to the same f64.
    println!("{}", serde_json::to_string(&losses)?);
    Ok(())
}
