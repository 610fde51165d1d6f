//! The 8 x 8 handwritten digits: the test set of the UCI "Optical Recognition of Handwritten
//! Digits" data as scikit-learn ships it (1,797 images, 10 classes; CC BY 4.0; provenance and
//! file format in data/digits/README.md), compiled into the core from a 73,687-byte file.
//!
//! The split is fixed: the images are put in one order by a permutation of their own seed (not
//! the run's), and the last `test_fraction` of that order is the test set, so every run, seed
//! and net is tested on the same images. Inputs: each pixel (0..16) divided by 16, then
//! standardized with one mean and one standard deviation taken over every pixel of the training
//! split, so the training inputs have mean 0 and second moment 1 and an image stays an image
//! (every pixel is mapped by the same increasing affine function).

use crate::data::{split, Dataset};
use crate::rng::Rng;

pub const DIGITS_N: usize = 1797;
/// Pixels per image (8 x 8, row-major).
pub const DIGITS_PIXELS: usize = 64;
pub const DIGITS_CLASSES: usize = 10;
/// The largest pixel value: a pixel counts the "on" pixels of a 4 x 4 block.
pub const DIGITS_MAX_PIXEL: u8 = 16;

const FILE: &[u8] = include_bytes!("../data/digits/digits.bin");
const MAGIC: &[u8] = b"RLDIGIT1";
const HEADER: usize = 10;
/// One image: its label byte, then 64 pixels at 5 bits each.
const RECORD: usize = 1 + DIGITS_PIXELS * 5 / 8;
/// Seed of the permutation that orders the images before the split.
const SPLIT_SEED: u64 = 1797;

/// The images in the file's (scikit-learn's) order: pixels `[n][64]` in 0..=16 and labels.
pub fn raw() -> (Vec<u8>, Vec<u8>) {
    // The file is part of the build; tests/digits.rs checks it against scikit-learn's numbers.
    assert!(FILE.len() == HEADER + DIGITS_N * RECORD && &FILE[..8] == MAGIC, "data/digits/digits.bin is damaged");
    assert_eq!(u16::from_le_bytes([FILE[8], FILE[9]]) as usize, DIGITS_N, "data/digits/digits.bin: wrong count");
    let mut pixels = Vec::with_capacity(DIGITS_N * DIGITS_PIXELS);
    let mut labels = Vec::with_capacity(DIGITS_N);
    for rec in FILE[HEADER..].chunks_exact(RECORD) {
        labels.push(rec[0]);
        let bits = &rec[1..];
        for p in 0..DIGITS_PIXELS {
            // bits 5p .. 5p+4, least significant first; they span at most two bytes
            let (byte, shift) = (5 * p / 8, 5 * p % 8);
            let word = bits[byte] as u16 | (bits.get(byte + 1).copied().unwrap_or(0) as u16) << 8;
            pixels.push(((word >> shift) & 0x1f) as u8);
        }
    }
    (pixels, labels)
}

/// The file's index of each image in split order: the first `n_train` are the training set.
pub fn split_order() -> Vec<usize> {
    let mut order: Vec<usize> = (0..DIGITS_N).collect();
    Rng::new(SPLIT_SEED).shuffle(&mut order);
    order
}

/// The digits as a dataset: images in split order, the last `test_fraction` held out, inputs
/// scaled as the module doc says.
pub fn dataset(test_fraction: f64) -> Dataset {
    let (pixels, labels) = raw();
    let order = split_order();
    let n_train = split(DIGITS_N, test_fraction);
    // One mean and standard deviation over every pixel of the training images, of pixel / 16.
    let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
    for &i in &order[..n_train] {
        for &p in &pixels[i * DIGITS_PIXELS..(i + 1) * DIGITS_PIXELS] {
            let v = p as f64 / DIGITS_MAX_PIXEL as f64;
            sum += v;
            sum_sq += v * v;
        }
    }
    let count = (n_train * DIGITS_PIXELS) as f64;
    let mean = sum / count;
    let std = (sum_sq / count - mean * mean).max(0.0).sqrt();
    let mut x = Vec::with_capacity(DIGITS_N * DIGITS_PIXELS);
    let mut y = Vec::with_capacity(DIGITS_N);
    for &i in &order {
        x.extend(pixels[i * DIGITS_PIXELS..(i + 1) * DIGITS_PIXELS].iter().map(|&p| ((p as f64 / DIGITS_MAX_PIXEL as f64 - mean) / std) as f32));
        y.push(labels[i] as f32);
    }
    Dataset { x, y, d_in: DIGITS_PIXELS, d_out: DIGITS_CLASSES, classification: true, n_train }
}
