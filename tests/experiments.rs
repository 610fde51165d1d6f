//! The eight experiments of the Experiments page at their reduced size: the number each paper
//! (or the mean-field theory) gives, within a tolerance stated next to it, with the reason for
//! the tolerance. Same code and seeds as the page (pkg/experiments/ rounds as this native
//! build). All eight take about 30 s natively on two cores.

use residual_lab::experiments::{self, shattered, ExperimentId, Size, Summary, UnitResult};

fn run(id: ExperimentId) -> (Vec<UnitResult>, Summary) {
    experiments::run(id, Size::Reduced).unwrap()
}

fn get(s: &Summary, key: &str) -> f64 {
    s.finding(key).unwrap_or_else(|| panic!("no finding {key}: {:?}", s.findings.iter().map(|f| &f.key).collect::<Vec<_>>()))
}

#[test]
fn trainability_boundary_follows_c_xi_c_with_c_near_6() {
    let (_, s) = run(ExperimentId::Trainability);
    // xi_c from the mean-field fixed point (Schoenholz et al. 2017, eq. 9): 15.8 at s_w^2 = 1.5
    // and 11.8 at 2.5, the values, to 0.05.
    assert!((get(&s, "xi_c_1.5") - 15.79).abs() < 0.05, "{}", get(&s, "xi_c_1.5"));
    assert!((get(&s, "xi_c_2.5") - 11.80).abs() < 0.05, "{}", get(&s, "xi_c_2.5"));
    // The fitted c within a factor of 2 of the paper's 6: the reduced grid has four depths, so
    // the boundary between two of them is only located to within a factor of about 2.
    let c = get(&s, "c");
    assert!((3.0..=12.0).contains(&c), "fitted c = {c}");
    // and the rule "trainable iff L <= c xi_c" must actually separate the grid.
    assert!(get(&s, "agreement") >= 0.85, "agreement {}", get(&s, "agreement"));
    assert!((0.3..0.95).contains(&get(&s, "trainable")), "some cells train and some do not: {}", get(&s, "trainable"));
}

#[test]
fn lesions_hurt_a_residual_net_little_and_a_plain_net_to_chance() {
    let (_, s) = run(ExperimentId::Lesions);
    let chance = get(&s, "chance");
    assert!(get(&s, "res_test_accuracy") > 0.9 && get(&s, "plain_test_accuracy") > 0.9, "both nets trained");
    // Veit et al.: one deleted block costs a residual net little. Tolerance: a mean drop under
    // 6 points (the reduced net has 24 blocks, so each carries more than in a 54-block net).
    assert!(get(&s, "res_single_drop") < 0.06, "residual single-block drop {}", get(&s, "res_single_drop"));
    // and one deleted layer drops a plain net to chance: within 10 points of it on average.
    assert!(get(&s, "plain_single_mean") < chance + 0.10, "plain net with a layer deleted: {}", get(&s, "plain_single_mean"));
    // Smooth degradation in k: 5 random blocks cost less than 10.
    assert!(get(&s, "res_k5") > get(&s, "res_k10"), "k = 5: {}, k = 10: {}", get(&s, "res_k5"), get(&s, "res_k10"));
    // Short effective paths: 90% of the gradient within paths shorter than half the mean path
    // length L/2 (Veit et al.: 5 to 17 of 54, against a mean of 27).
    assert!(get(&s, "path_bulk_hi") < get(&s, "path_mean_length"), "gradient window up to {}, mean path {}", get(&s, "path_bulk_hi"), get(&s, "path_mean_length"));
}

#[test]
fn isometry_spectra_follow_free_probability() {
    let (results, s) = run(ExperimentId::Isometry);
    // Pennington et al. 2017: sigma^2 = L (mu2/mu1^2 - 1) orthogonal, L mu2/mu1^2 Gaussian.
    for r in results.iter().filter_map(|r| if let UnitResult::Isometry(n) = r { Some(n) } else { None }) {
        if r.normalized_var.is_finite() {
            // At the edge of chaos the mean squared singular value is 1, to the finite width's
            // fluctuation (a factor of 2.5 for L/W = 0.5 here).
            assert!((0.4..2.5).contains(&r.mean_sq), "{}: mean s^2 {}", r.label, r.mean_sq);
        }
    }
    let tanh_orth = get(&s, "tanh_orth_var");
    // Orthogonal tanh at q* = 1/64: 30 * 0.0017 = 0.05 predicted; within 0.1 (finite width
    // adds O(L/W^2) here).
    assert!(tanh_orth < 0.15, "orthogonal tanh {tanh_orth}");
    // Orthogonal ReLU: L = 30 predicted; within 30% (two inputs, one seed).
    assert!((get(&s, "relu_orth_var") / 30.0 - 1.0).abs() < 0.3, "orthogonal ReLU {}", get(&s, "relu_orth_var"));
    // Gaussian weights: far from isometric, both activations, at least 100 times the
    // orthogonal tanh net's spread (the formula: 30 and 60 against 0.05; finite width lowers
    // the Gaussian values, see the card).
    assert!(get(&s, "tanh_gauss_var") > 100.0 * tanh_orth && get(&s, "relu_gauss_var") > 100.0 * tanh_orth);
}

#[test]
fn shattered_gradients_decorrelate_with_depth_in_plain_nets_only() {
    let (_, s) = run(ExperimentId::Shattered);
    // Mean field (infinite width): 0.98 / 0.93 / 0.86 / 0.69 at L = 2 / 10 / 20 / 50. At width
    // 128 with 4 seeds the measurement is lower at intermediate depth (finite width, see the
    // test below) and varies between seeds: within 0.02 at L = 2, 0.1 at L = 10, 0.2 beyond.
    for (d, tol) in [(2, 0.02), (10, 0.1), (20, 0.2), (50, 0.2)] {
        let (m, t) = (get(&s, &format!("plain_{d}")), get(&s, &format!("plain_{d}_theory")));
        assert!((m - t).abs() < tol, "L = {d}: r_1 {m}, mean field {t}");
    }
    // Falls with depth.
    assert!(get(&s, "plain_2") > get(&s, "plain_10") && get(&s, "plain_10") > get(&s, "plain_50"));
    // Residual nets at L = 50 stay more correlated than the plain net; with alpha = 1/sqrt(L)
    // the gradient barely decorrelates (above 0.95).
    assert!(get(&s, "res1_50") > get(&s, "plain_50"), "alpha = 1: {}", get(&s, "res1_50"));
    assert!(get(&s, "resinv_50") > 0.95, "alpha = 1/sqrt(L): {}", get(&s, "resinv_50"));
}

#[test]
fn shattered_gradients_approach_mean_field_as_the_width_grows() {
    // The finite-width gap of the test above closes with width: at L = 10, W = 1000, six seeds,
    // r_1 is within 0.02 of the mean-field 0.925 (it is 0.86 at W = 100).
    use residual_lab::net::Network;
    use residual_lab::probes::input_gradients;
    use residual_lab::rng::Rng;
    let xs = shattered::circle();
    let r1: Vec<f64> = (0..6)
        .map(|seed| {
            let m = shattered::model(shattered::Arch::Plain, 10, 1000);
            let mut net = Network::<f32>::new(&m, 2, 1, shattered::POINTS, &mut Rng::new(900 + seed));
            shattered::lag1(&input_gradients(&mut net, &xs, 0).unwrap(), 2)
        })
        .collect();
    let mean = r1.iter().sum::<f64>() / 6.0;
    let theory = shattered::predicted_plain(10, (2.0 * std::f64::consts::PI / 256.0).cos());
    assert!((mean - theory).abs() < 0.02, "W = 1000: r_1 {mean}, mean field {theory}");
}

#[test]
fn rank_collapses_in_plain_nets_and_follows_the_c_map() {
    let (_, s) = run(ExperimentId::RankCollapse);
    // The ReLU c-map from 0 (Cho & Saul's arc-cosine kernel): 0.872 / 0.948 / 0.988 at
    // l = 10 / 20 / 50. Measured at width 96, 3 seeds: within 0.06 / 0.04 / 0.01 (finite width
    // lowers it, most at intermediate depth).
    for (l, target, tol) in [(10, 0.872, 0.06), (20, 0.948, 0.04), (50, 0.988, 0.01)] {
        let c = get(&s, &format!("cos_{l}"));
        assert!((c - target).abs() < tol, "l = {l}: mean cosine {c}, c-map {target}");
    }
    // Plain collapses to rank one; BatchNorm and the 1/sqrt(L) residual branches keep the
    // stable rank at least twice as high.
    let plain = get(&s, "srank_plain");
    assert!(plain < 1.1, "plain stable rank {plain}");
    assert!(get(&s, "srank_bn") > 2.0 * plain, "BatchNorm {}", get(&s, "srank_bn"));
    assert!(get(&s, "srank_res_inv") > 2.0 * plain, "residual 1/sqrt(L) {}", get(&s, "srank_res_inv"));
}

#[test]
fn tat_slope_and_training() {
    // TAT's rule at L = 50, eta = 0.9 (the numbers: slope about 0.43, s_w^2 about 1.69).
    let a = experiments::tat::tat_slope(50, 0.9);
    assert!((a - 0.43).abs() < 0.005 && (2.0 / (1.0 + a * a) - 1.69).abs() < 0.005, "slope {a}");
    assert!((experiments::tat::composed_c0(50, a) - 0.9).abs() < 1e-9);
    let (_, s) = run(ExperimentId::Tat);
    // The TAT plain net trains as well as the residual net: its best final training loss at most
    // twice the residual net's (one seed each; the losses are ~0.01-0.1).
    assert!(get(&s, "tat_loss") <= 2.0 * get(&s, "res_loss"), "TAT {} residual {}", get(&s, "tat_loss"), get(&s, "res_loss"));
    assert!(get(&s, "tat_acc") > 0.95, "TAT training accuracy {}", get(&s, "tat_acc"));
    // ReLU's correlation map sends 0 close to 1 at this depth.
    assert!(get(&s, "relu_c0") > 0.95);
}

#[test]
fn degradation_in_plain_nets_not_in_residual_nets() {
    let (_, s) = run(ExperimentId::Degradation);
    // He et al. 2016: the deeper plain net ends at a higher training loss: at least twice.
    assert!(get(&s, "plain_ratio") > 2.0, "plain deep/shallow {}", get(&s, "plain_ratio"));
    // The deeper residual net does not degrade: it ends lower, as the paper's deeper ResNet
    // did (0.89 measured at this size, one seed).
    assert!(get(&s, "res_ratio") < 1.0, "residual deep/shallow {}", get(&s, "res_ratio"));
}

#[test]
fn post_ln_amplifies_with_depth_pre_ln_does_not() {
    let (_, s) = run(ExperimentId::Amplification);
    // Liu et al. 2020: Var(output change) = O(N) post-LN: doubling the depth (16 -> 32) doubles
    // it; within [1.5, 3] (6 seeds, 4 draws).
    let post = get(&s, "post_doubling");
    assert!((1.5..3.0).contains(&post), "post-LN doubling {post}");
    // pre-LN: O(log N), ln 32 / ln 16 = 1.25; below 1.6 and below post-LN's.
    let pre = get(&s, "pre_doubling");
    assert!(pre < 1.6 && pre < post, "pre-LN doubling {pre}");
    assert!(get(&s, "post_exponent") > 0.8 && get(&s, "pre_exponent") < get(&s, "post_exponent") - 0.3);
}

#[test]
fn units_are_deterministic_and_summaries_check_their_input() {
    let id = ExperimentId::Amplification;
    let once = |u| {
        let mut j = experiments::start(id, Size::Reduced, u).unwrap();
        while !j.advance().unwrap() {}
        j.result()
    };
    assert_eq!(once(3), once(3));
    let n = experiments::units(id, Size::Reduced).len();
    let results: Vec<UnitResult> = (0..n).map(once).collect();
    assert!(experiments::summarize(id, Size::Reduced, &results[1..]).unwrap_err().to_string().starts_with("results:"));
    assert!(experiments::summarize(ExperimentId::Tat, Size::Reduced, &results[..6]).unwrap_err().to_string().starts_with("results"));
    assert!(experiments::start(id, Size::Reduced, n).err().unwrap().to_string().starts_with("unit:"));
    // The results read back from JSON (as the page passes them back to the summary) give the
    // same summary.
    let json = serde_json::to_string(&results).unwrap();
    let back = UnitResult::list(id, &mut serde_json::Deserializer::from_str(&json)).unwrap();
    assert_eq!(experiments::summarize(id, Size::Reduced, &back).unwrap(), experiments::summarize(id, Size::Reduced, &results).unwrap());
    // every experiment lists units at every size
    for id in experiments::ALL {
        for size in [Size::Reduced, Size::Default, Size::Full] {
            assert!(!experiments::units(id, size).is_empty());
        }
    }
}

#[test]
fn the_default_and_full_sizes_start() {
    // The default and full sizes are not run here (minutes). At the default size the first and
    // the most expensive unit must build and take a first slice; at the full size the most
    // expensive one must build (its config within Config::validate's caps, e.g. the parameter
    // cap, which the full isometry nets once exceeded).
    for id in experiments::ALL {
        for (size, first_slice) in [(Size::Default, true), (Size::Full, false)] {
            let units = experiments::units(id, size);
            let biggest = (0..units.len()).max_by(|&a, &b| units[a].cost.total_cmp(&units[b].cost)).unwrap();
            for unit in if first_slice { vec![0, biggest] } else { vec![biggest] } {
                let mut job = experiments::start(id, size, unit).unwrap_or_else(|e| panic!("{id:?} {size:?} unit {unit}: {e}"));
                if first_slice {
                    job.advance().unwrap();
                    assert!(job.progress() > 0.0, "{id:?} {size:?} unit {unit}");
                }
            }
        }
    }
}

#[test]
fn jacobian_spread_matches_free_probability_at_large_width() {
    // The card's nets (L = 50, W = 128) have L/W = 0.4, where the Gaussian nets spread less than
    // the wide limit says. At W = 384, L = 12 the free-probability variance (Pennington et al.
    // 2017) holds: the mean over three seeds within 10% of L mu2/mu1^2 for Gaussian weights (24
    // for ReLU, 12.0 for tanh at q* = 1/64) and of L (mu2/mu1^2 - 1) = 12 for orthogonal ReLU
    // (the config's orthogonal init has ReLU's gain^2 2 = s_w^2).
    use residual_lab::config::{ActivationKind, InitKind, ModelConfig, NetKind};
    use residual_lab::experiments::isometry::{critical_tanh, variance_per_layer, TANH_Q_STAR};
    use residual_lab::jacobian::{stream_jacobian, Spectrum};
    use residual_lab::net::Network;
    use residual_lab::rng::Rng;
    let (depth, width) = (12, 384);
    for (act, orthogonal) in [(ActivationKind::Relu, false), (ActivationKind::Relu, true), (ActivationKind::Tanh, false)] {
        let (sw2, sb2) = if act == ActivationKind::Tanh { critical_tanh(TANH_Q_STAR) } else { (2.0, 0.0) };
        let q0 = if act == ActivationKind::Tanh { TANH_Q_STAR } else { 1.0 };
        let x = [(2.0 * (q0 - sb2) / sw2).sqrt() as f32, 0.0]; // stem output of second moment q*
        let init = if orthogonal { InitKind::Orthogonal } else { InitKind::Custom };
        let m = ModelConfig { kind: NetKind::Plain, depth, width, activation: act, init, sigma_w2: sw2, sigma_b2: sb2, ..Default::default() };
        let vars: Vec<f64> = (0..3)
            .map(|seed| Spectrum::of(&stream_jacobian(&mut Network::<f32>::new(&m, 2, 2, 64, &mut Rng::new(seed)), &x)).normalized_var)
            .collect();
        let mean = vars.iter().sum::<f64>() / 3.0;
        let predicted = depth as f64 * variance_per_layer(act, orthogonal);
        assert!((mean / predicted - 1.0).abs() < 0.1, "{act:?} orthogonal={orthogonal}: {vars:?}, predicted {predicted}");
    }
}

#[test]
fn summaries_of_partial_results_do_not_panic() {
    // The page may summarise what the units returned so far, and JS can pass anything that
    // deserializes: results of units that have not advanced (empty curves and lists) must give
    // a summary (NaN where nothing was measured), never a panic, which in wasm would kill the
    // module.
    for id in experiments::ALL {
        let n = experiments::units(id, Size::Reduced).len();
        let partial: Vec<UnitResult> = (0..n).map(|u| experiments::start(id, Size::Reduced, u).unwrap().result()).collect();
        let s = experiments::summarize(id, Size::Reduced, &partial).unwrap();
        assert!(!s.findings.is_empty(), "{id:?}");
    }
}
