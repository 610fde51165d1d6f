//! The JS API (`src/wasm/`) inside wasm, continued from tests/wasm_api.rs: weights and
//! gradients, config and set_lr, saved state, divergence, and the theory calls. Under Node by
//! default, in headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`.
#![cfg(target_arch = "wasm32")]

mod wasm_common;

use js_sys::{Array, Float32Array, Object, Reflect, JSON};
use residual_lab::wasm::Lab;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_common::*;

// ---------------------------------------------------------------------------------------
// get_weights, gradients, param_info, set_weights

#[wasm_bindgen_test]
fn weights_gradients_and_param_info_agree() {
    let mut l = lab(r#"{"model":{"depth":3,"width":8,"norm":"layer","branch_scale":"learnable","final_norm":true},"data":{"classes":3,"n":60}}"#);
    let info = Array::from(&l.param_info());
    let w = l.get_weights();
    let g = l.gradients();
    let names: Vec<String> = info.iter().map(|i| get(&i, "name").as_string().unwrap()).collect();
    let wkeys: Vec<String> = Object::keys(w.unchecked_ref::<Object>()).iter().map(|k| k.as_string().unwrap()).collect();
    let gkeys: Vec<String> = Object::keys(g.unchecked_ref::<Object>()).iter().map(|k| k.as_string().unwrap()).collect();
    assert_eq!(names, wkeys);
    assert_eq!(names, gkeys);
    for n in ["stem.weight", "stem.bias", "blocks.0.norm.weight", "blocks.0.fc1.weight", "blocks.0.fc2.bias", "blocks.2.alpha", "final_norm.weight", "head.weight", "head.bias"] {
        assert!(names.iter().any(|x| x == n), "missing {n} in {names:?}");
    }
    let mut last_layer = 0.0;
    for i in info.iter() {
        let name = get(&i, "name").as_string().unwrap();
        let shape: Vec<f64> = Array::from(&get(&i, "shape")).iter().map(|v| v.as_f64().unwrap()).collect();
        let len = shape.iter().product::<f64>().max(1.0) as usize;
        assert_eq!(f32s(&get(&w, &name)).len(), len, "{name}");
        assert_eq!(f32s(&get(&g, &name)).len(), len, "{name}");
        let layer = get_f64(&i, "layer");
        assert!(layer >= last_layer && layer <= 4.0, "{name}: layer {layer}");
        last_layer = layer;
    }
    let shape = |n: &str| JSON::stringify(&get(&info.iter().find(|i| get(i, "name").as_string().unwrap() == n).unwrap(), "shape")).unwrap();
    assert_eq!(shape("stem.weight"), "[8,2]");
    assert_eq!(shape("head.weight"), "[3,8]");
    assert_eq!(shape("blocks.1.alpha"), "[]");
    // gradients are those of the last step or probe
    assert!(f32s(&get(&g, "head.weight")).iter().all(|&v| v == 0.0), "no gradient before any step");
    l.probe();
    let g1 = f32s(&get(&l.gradients(), "head.weight"));
    assert!(g1.iter().any(|&v| v != 0.0));
    l.probe();
    assert_eq!(f32s(&get(&l.gradients(), "head.weight")), g1);
    l.train_step();
    // weights returned are copies
    let w0 = f32s(&get(&w, "stem.weight"));
    assert_ne!(f32s(&get(&l.get_weights(), "stem.weight")), w0, "a step changes the weights");
}

#[wasm_bindgen_test]
fn set_weights_round_trip_keeps_predictions() {
    let cfg = r#"{"model":{"depth":3,"width":8,"norm":"layer"},"seed":11}"#;
    let mut a = lab(cfg);
    ok(a.train(arg(num(20.0))));
    let pts = Float32Array::from(&some_points()[..]);
    let p = f32s(&ok(a.predict(pts.clone().into())).into());
    ok(a.set_weights(a.get_weights()));
    assert_eq!(f32s(&ok(a.predict(pts.clone().into())).into()), p, "set_weights(get_weights()) changes nothing");
    // the weights carry the whole function: a lab of another seed predicts the same after it
    let mut b = lab(&cfg.replace("11", "12"));
    assert_ne!(f32s(&ok(b.predict(pts.clone().into())).into()), p);
    ok(b.set_weights(a.get_weights()));
    assert_eq!(f32s(&ok(b.predict(pts.clone().into())).into()), p);
    // plain arrays are accepted too
    let w = a.get_weights();
    let plain = Object::new();
    for k in Object::keys(w.unchecked_ref::<Object>()).iter() {
        Reflect::set(&plain, &k, &Array::from(&get(&w, &k.as_string().unwrap()))).unwrap();
    }
    let mut c = lab(&cfg.replace("11", "13"));
    ok(c.set_weights(plain.into()));
    assert_eq!(f32s(&ok(c.predict(pts.into())).into()), p);
    still_works(&mut c);
}

#[wasm_bindgen_test]
fn set_weights_rejects_bad_sets_and_changes_nothing() {
    let mut l = lab(r#"{"model":{"depth":2,"width":4},"seed":2}"#);
    let good = l.get_weights();
    let names: Vec<String> = Object::keys(good.unchecked_ref::<Object>()).iter().map(|k| k.as_string().unwrap()).collect();
    let copy = |edit: &dyn Fn(&Object)| -> JsValue {
        let o = Object::new();
        for n in &names {
            Reflect::set(&o, &n.into(), &Float32Array::from(&f32s(&get(&good, n))[..])).unwrap();
        }
        edit(&o);
        o.into()
    };
    let set = |o: &Object, k: &str, v: JsValue| {
        Reflect::set(o, &k.into(), &v).unwrap();
    };
    let cases: Vec<(JsValue, &str)> = vec![
        (copy(&|o| { Reflect::delete_property(o, &"head.bias".into()).unwrap(); }), "head.bias"),
        (copy(&|o| set(o, "blocks.9.fc1.weight", arr(&[1.0]))), "blocks.9.fc1.weight"),
        (copy(&|o| set(o, "stem.weight", arr(&[0.5; 7]))), "stem.weight"),
        (copy(&|o| set(o, "stem.weight", arr(&[0.5; 9]))), "stem.weight"),
        (copy(&|o| set(o, "head.bias", arr(&[0.0, f64::NAN]))), "head.bias"),
        (copy(&|o| set(o, "head.bias", arr(&[0.0, f64::INFINITY]))), "head.bias"),
        (copy(&|o| set(o, "head.bias", arr(&[0.0, 1e39]))), "head.bias"), // overflows f32
        (copy(&|o| set(o, "head.bias", js(r#"[0, "1"]"#))), "head.bias"),
        (copy(&|o| set(o, "head.bias", JsValue::NULL)), "head.bias"),
        (copy(&|o| set(o, "head.bias", num(1.0))), "head.bias"),
        (js("[]"), "weights"),
        (js("null"), "weights"),
        (undef(), "weights"),
        (num(3.0), "weights"),
        ("stem.weight".into(), "weights"),
    ];
    let p0 = f32s(&ok(l.predict(arr(&[0.1, 0.2]))).into());
    for (w, field) in cases {
        fails(l.set_weights(w), field);
        assert_eq!(f32s(&ok(l.predict(arr(&[0.1, 0.2]))).into()), p0, "a rejected set_weights changes nothing ({field})");
    }
    // an empty object names the first missing tensor
    fails(l.set_weights(js("{}")), "stem.weight");
    still_works(&mut l);
    // a valid edit does change the outputs
    ok(l.set_weights(copy(&|o| set(o, "head.bias", arr(&[5.0, -5.0])))));
    let p = f32s(&ok(l.predict(arr(&[0.1, 0.2]))).into());
    assert!(p[0] > 0.99, "{p:?}");
}

// ---------------------------------------------------------------------------------------
// config, set_lr, step_count

#[wasm_bindgen_test]
fn set_lr_keeps_the_step_count_and_state() {
    let mut a = small();
    let mut b = small();
    ok(a.train(arg(num(10.0))));
    ok(b.train(arg(num(10.0))));
    ok(a.set_lr(num(0.02)));
    assert_eq!(a.step_count(), 10.0, "set_lr does not reset");
    assert_eq!(get_f64(&get(&a.config(), "optimizer"), "lr"), 0.02);
    // the next loss is measured before the update, so it is the twin's; the one after is not
    assert_eq!(loss_of(&a.train_step()), loss_of(&b.train_step()));
    assert_ne!(loss_of(&a.train_step()), loss_of(&b.train_step()));
    assert_eq!(a.step_count(), 12.0);
    // errors
    for v in [num(0.0), num(-1.0), num(10.5), num(f64::NAN), num(f64::INFINITY)] {
        fails(a.set_lr(v), "optimizer.lr");
        still_works(&mut a);
    }
    for v in ["0.1".into(), undef(), JsValue::NULL, js("[0.1]"), js(r#"{"lr":0.1}"#)] {
        fails(a.set_lr(v), "optimizer.lr");
        still_works(&mut a);
    }
    assert_eq!(get_f64(&get(&a.config(), "optimizer"), "lr"), 0.02, "rejected values do not stick");
    ok(a.set_lr(num(10.0))); // the upper bound is allowed
}

#[wasm_bindgen_test]
fn config_round_trips_through_the_constructor() {
    let l = lab(r#"{"model":{"depth":5,"init":"orthogonal","activation":"gelu"},"optimizer":{"kind":"momentum","nesterov":true},"batch_size":16}"#);
    let cfg = l.config();
    // a config() object is itself a valid config with the same meaning
    let again = ok(Lab::new(arg(cfg.clone())));
    assert_eq!(JSON::stringify(&again.config()).unwrap(), JSON::stringify(&cfg).unwrap());
    // plain JSON objects (not Maps), every field present
    for k in ["model", "optimizer", "data", "loss", "batch_size", "bn_momentum", "seed"] {
        assert!(Reflect::has(&cfg, &k.into()).unwrap(), "{k}");
    }
    assert_eq!(Object::keys(get(&cfg, "model").unchecked_ref::<Object>()).length(), 14);
    assert_eq!(get(&get(&cfg, "optimizer"), "nesterov").as_bool(), Some(true));
}

// ---------------------------------------------------------------------------------------
// to_json, from_json, reset

#[wasm_bindgen_test]
fn to_json_from_json_continues_bit_for_bit() {
    for cfg in [
        SMALL,
        r#"{"model":{"kind":"plain","depth":3,"width":8,"norm":"batch"},"optimizer":{"kind":"momentum","lr":0.05},"batch_size":16,"seed":4}"#,
        r#"{"model":{"depth":2,"width":8,"norm":"batch","norm_position":"post","init":"rezero"},"optimizer":{"kind":"adamw","weight_decay":0.01},"data":{"name":"xor","n":64},"seed":8}"#,
    ] {
        let mut a = lab(cfg);
        ok(a.train(arg(num(30.0))));
        let json = ok(a.to_json());
        let mut b = ok(Lab::from_json(json.clone().into()));
        assert_eq!(b.step_count(), 30.0);
        assert_eq!(JSON::stringify(&b.config()).unwrap(), JSON::stringify(&a.config()).unwrap());
        let pts = arr(&[0.3, -0.2, 0.9, 0.1]);
        assert_eq!(f32s(&ok(a.predict(pts.clone())).into()), f32s(&ok(b.predict(pts.clone())).into()));
        // Restoring and saving again gives the same text: every f64 (BatchNorm running
        // statistics, optimizer settings) is parsed back exactly (serde_json's
        // float_roundtrip; without it the last digit of some running statistics moved).
        assert_eq!(ok(b.to_json()), json, "{cfg}");
        assert_eq!(losses(&mut a, 20), losses(&mut b, 20), "{cfg}");
        assert_eq!(a.step_count(), 50.0);
        assert_eq!(f32s(&ok(a.predict(pts.clone())).into()), f32s(&ok(b.predict(pts)).into()));
    }
    // custom data is saved with the state
    let mut a = small();
    let x: Vec<f64> = (0..40).map(|i| ((i * 13) % 17) as f64 / 8.0 - 1.0).collect();
    let y: Vec<f64> = (0..20).map(|i| (i % 3) as f64).collect();
    ok(a.set_data(arr(&x), arr(&y), num(2.0)));
    ok(a.train(arg(num(7.0))));
    let mut b = ok(Lab::from_json(ok(a.to_json()).into()));
    assert_eq!(f32s(&get(&b.data(), "x")), f32s(&get(&a.data(), "x")));
    assert_eq!(losses(&mut a, 10), losses(&mut b, 10));
}

#[wasm_bindgen_test]
fn from_json_rejects_bad_state() {
    let mut l = small();
    ok(l.train(arg(num(3.0))));
    let json = ok(l.to_json());
    // not a string
    for v in [num(1.0), undef(), JsValue::NULL, js(r#"{"format":"residual-lab-state/1"}"#), js("[]")] {
        fails(Lab::from_json(v), "json");
    }
    // truncated at many points, and edited fields
    let n = json.len();
    let mut cuts: Vec<usize> = (0..20).map(|i| i * n / 20).collect();
    cuts.extend([1, n - 1, n - 2]);
    for cut in cuts {
        let m = fails(Lab::from_json(json[..cut].to_string().into()), "state");
        assert!(m.len() > "state: ".len());
    }
    let edits: &[(&str, &str)] = &[
        ("\"format\":\"residual-lab-state/1\"", "\"format\":\"residual-lab-state/2\""),
        ("\"step\":3", "\"step\":-3"),
        ("\"cursor\":", "\"cursor\":99999"),
        ("\"params\":[", "\"params\":[1.0,"),
        ("\"params\":[", "\"params\":[1e39,"),
        ("\"order\":[", "\"order\":[0,"),
        ("\"rng\":{\"s\":[", "\"rng\":{\"s\":[1,"),
        ("\"data\":null", "\"data\":7"),
        ("\"halted\":null", "\"halted\":true"),
        ("\"format\"", "\"extra\":1,\"format\""),
    ];
    for (from, to) in edits {
        assert!(json.contains(from), "the state contains {from}");
        fails(Lab::from_json(json.replacen(from, to, 1).into()), "state");
    }
    // a config that does not validate names the config field
    let bad_cfg = json.replacen("\"depth\":4", "\"depth\":0", 1);
    assert_ne!(bad_cfg, json);
    fails(Lab::from_json(bad_cfg.into()), "model.depth");
    // and a config that disagrees with the parameters
    fails(Lab::from_json(json.replacen("\"depth\":4", "\"depth\":5", 1).into()), "state");
    still_works(&mut l);
}

#[wasm_bindgen_test]
fn divergence_halts_and_to_json_refuses_non_finite_parameters() {
    // Activations overflow: halted before the update, the state still saves and restores halted.
    let mut l = lab(r#"{"model":{"kind":"plain","depth":6,"width":16,"init":"custom","sigma_w2":100},"optimizer":{"kind":"sgd","lr":10},"seed":1}"#);
    let r = ok(l.train(arg(num(200.0))));
    let d = get(&r, "diverged");
    assert!(!d.is_null(), "lr 10 with sigma_w2 100 diverges");
    assert_eq!(get(&d, "what").as_string().unwrap(), "activation");
    let steps = l.step_count();
    assert_eq!(get_f64(&d, "step"), steps + 1.0, "the diverging step is not counted");
    let again = l.train_step(); // halted: changes nothing, reports the same divergence
    assert_eq!(l.step_count(), steps);
    assert_eq!(JSON::stringify(&get(&again, "diverged")).unwrap(), JSON::stringify(&d).unwrap());
    let mut b = ok(Lab::from_json(ok(l.to_json()).into()));
    assert_eq!(b.step_count(), steps);
    assert_eq!(JSON::stringify(&get(&b.train_step(), "diverged")).unwrap(), JSON::stringify(&d).unwrap());
    assert_eq!(b.step_count(), steps);
    ok(l.reset(arg(undef())));
    assert_eq!(l.step_count(), 0.0);
    assert!(get(&l.train_step(), "diverged").is_null());

    // The update overflows: a head bias of 3e38 is finite and so is the step's loss, but
    // weight decay makes its gradient 3e38 and lr 10 the update infinite.
    let mut l = lab(r#"{"model":{"depth":2,"width":8},"optimizer":{"kind":"sgd","lr":10,"weight_decay":1},"seed":1}"#);
    let w = l.get_weights();
    Reflect::set(&w, &"head.bias".into(), &arr(&[3e38, 3e38])).unwrap();
    ok(l.set_weights(w));
    let r = l.train_step();
    assert!(loss_of(&r).is_finite());
    let d = get(&r, "diverged");
    assert_eq!(get(&d, "what").as_string().unwrap(), "parameter");
    assert_eq!(get_f64(&d, "layer"), 3.0, "the head is layer depth + 1");
    let m = fails(l.to_json(), "state");
    assert!(m.contains("head.bias"), "{m}");
    ok(l.reset(arg(undef())));
    assert!(loss_of(&l.train_step()).is_finite());
    assert!(ok(l.to_json()).len() > 100);
}

#[wasm_bindgen_test]
fn reset_reproduces_the_first_losses() {
    let mut l = small();
    let first = losses(&mut l, 10);
    ok(l.train(arg(num(20.0))));
    ok(l.reset(arg(undef())));
    assert_eq!(l.step_count(), 0.0);
    assert_eq!(losses(&mut l, 10), first);
    ok(l.reset(arg(JsValue::NULL)));
    assert_eq!(losses(&mut l, 10), first);
    // a new seed gives another run; the config's seed gives this one again
    ok(l.reset(arg(num(8.0))));
    assert_eq!(get_f64(&l.config(), "seed"), 8.0);
    let other = losses(&mut l, 10);
    assert_ne!(other, first);
    ok(l.reset(arg(num(7.0))));
    assert_eq!(losses(&mut l, 10), first);
    // the same as a fresh lab of that seed
    let mut fresh = lab(&SMALL.replace("\"seed\":7", "\"seed\":8"));
    assert_eq!(losses(&mut fresh, 10), other);
    ok(l.reset(arg(num(4294967295.0))));
    // errors
    for v in [num(-1.0), num(4294967296.0), num(1.5), num(f64::NAN), "3".into(), js("[1]")] {
        fails(l.reset(arg(v)), "seed");
        still_works(&mut l);
    }
    assert_eq!(get_f64(&l.config(), "seed"), 4294967295.0);
    // after set_data, reset keeps the caller's data
    let x: Vec<f64> = (0..16).map(|i| (i as f64 * 0.37).sin()).collect();
    ok(l.set_data(arr(&x), arr(&[0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]), num(2.0)));
    let c1 = losses(&mut l, 5);
    ok(l.reset(arg(undef())));
    assert_eq!(get_f64(&l.data(), "n_train") + 0.0, 6.0);
    assert_eq!(losses(&mut l, 5), c1);
}

#[wasm_bindgen_test]
fn step_count_counts_updates() {
    let mut l = small();
    assert_eq!(l.step_count(), 0.0);
    l.train_step();
    ok(l.train(arg(num(4.0))));
    l.probe();
    l.evaluate();
    ok(l.predict(arr(&[0.0, 0.0])));
    assert_eq!(l.step_count(), 5.0);
    ok(l.reset(arg(undef())));
    assert_eq!(l.step_count(), 0.0);
}

// ---------------------------------------------------------------------------------------
// theory, jacobian_spectrum, depth_sweep, phase_diagram, critical_sw2

#[wasm_bindgen_test]
fn theory_gives_curves_or_a_reason() {
    let l = lab(r#"{"model":{"kind":"plain","depth":6,"width":16}}"#);
    let t = l.theory();
    assert_eq!(get(&t, "supported").as_bool(), Some(true));
    let q = f32s(&get(&t, "second_moment"));
    let g = f32s(&get(&t, "grad_rms_relative"));
    assert_eq!((q.len(), g.len()), (7, 7));
    // He plain ReLU: flat forward (Poole et al. 2016), gradient 1 at the top.
    assert!(q.iter().skip(1).all(|&v| (v / q[1] - 1.0).abs() < 1e-4), "{q:?}");
    assert!((g[6] - 1.0).abs() < 1e-6);
    let post = lab(r#"{"model":{"norm":"layer","norm_position":"post"}}"#).theory();
    assert!(get(&post, "second_moment").is_null());
    assert!(!get(&post, "reason").as_string().unwrap().is_empty());
}

#[wasm_bindgen_test]
fn jacobian_spectrum_of_rezero_is_one() {
    let mut l = lab(r#"{"model":{"depth":10,"width":8,"init":"rezero"}}"#);
    let s = l.jacobian_spectrum();
    let sv = f32s(&get(&s, "singular_values"));
    assert_eq!(sv.len(), 8);
    assert!(sv.iter().all(|&v| v == 1.0), "{sv:?}");
    assert_eq!(get_f64(&s, "normalized_var"), 0.0);
    still_works(&mut l);
}

#[wasm_bindgen_test]
fn depth_sweep_bands_and_errors() {
    let mut l = lab(r#"{"model":{"kind":"plain","depth":5,"width":16}}"#);
    let s = ok(l.depth_sweep(arg(num(4.0))));
    assert_eq!(get_f64(&s, "seeds"), 4.0);
    let q = get(&s, "act_mean_sq");
    let (geo, p10, p90) = (f32s(&get(&q, "geo_mean")), f32s(&get(&q, "p10")), f32s(&get(&q, "p90")));
    let (mean, median) = (f32s(&get(&q, "mean")), f32s(&get(&q, "median")));
    assert_eq!((geo.len(), mean.len(), median.len()), (6, 6, 6));
    for l in 0..6 {
        assert!(p10[l] <= geo[l] && geo[l] <= p90[l], "layer {l}: {} {} {}", p10[l], geo[l], p90[l]);
        assert!(p10[l] <= median[l] && median[l] <= p90[l] && geo[l] <= mean[l] * 1.000001, "layer {l}: median {} mean {}", median[l], mean[l]);
    }
    for bad in [num(0.0), num(65.0), num(2.5), "4".into(), JsValue::NULL.clone()] {
        if bad.is_null() {
            ok(l.depth_sweep(arg(bad))); // null = the default (32 seeds)
        } else {
            fails(l.depth_sweep(arg(bad)), "seeds");
        }
    }
    still_works(&mut l);
}

#[wasm_bindgen_test]
fn phase_diagram_and_critical_line() {
    let pd = ok(Lab::phase_diagram("tanh".into(), arr(&[0.5, 4.0]), arr(&[0.0, 0.3]), num(8.0), num(4.0)));
    assert_eq!(f32s(&get(&pd, "chi1")).len(), 32);
    assert_eq!(f32s(&get(&pd, "xi_q")).len(), 32);
    assert_eq!(f32s(&get(&pd, "sw2")).len(), 8);
    // Schoenholz et al. 2017, Fig. 1: tanh at s_b^2 = 0.05 is critical near s_w^2 = 1.76.
    let c = ok(Lab::critical_sw2("tanh".into(), num(0.05))).as_f64().expect("a number, not null");
    assert!((c - 1.76).abs() < 0.01, "{c}");
    fails(Lab::phase_diagram("swish".into(), arr(&[0.5, 4.0]), arr(&[0.0, 0.3]), num(8.0), num(4.0)), "activation");
    fails(Lab::phase_diagram(num(3.0), arr(&[0.5, 4.0]), arr(&[0.0, 0.3]), num(8.0), num(4.0)), "activation");
    fails(Lab::phase_diagram("tanh".into(), arr(&[0.5]), arr(&[0.0, 0.3]), num(8.0), num(4.0)), "sw2_range");
    fails(Lab::phase_diagram("tanh".into(), arr(&[4.0, 0.5]), arr(&[0.0, 0.3]), num(8.0), num(4.0)), "sw2_range");
    fails(Lab::phase_diagram("tanh".into(), arr(&[0.5, 4.0]), arr(&[0.0, 0.3]), num(1.0), num(4.0)), "nx");
    fails(Lab::phase_diagram("tanh".into(), arr(&[0.5, 4.0]), arr(&[0.0, 0.3]), num(8.0), num(1e6)), "ny");
    fails(Lab::critical_sw2("tanh".into(), num(-1.0)), "sb2");
    fails(Lab::critical_sw2("tanh".into(), "x".into()), "sb2");
}

// ---------------------------------------------------------------------------------------
// representation, input_gradients, evaluate_without, output_change (the experiments' probes)

#[wasm_bindgen_test]
fn representation_has_a_value_per_stream_position() {
    let mut lab = lab(r#"{"model":{"kind":"plain","depth":6,"width":16},"batch_size":16,"data":{"n":128},"seed":3}"#);
    let r = ok(lab.representation());
    let (cos, rank) = (f32s(&get(&r, "mean_cosine")), f32s(&get(&r, "stable_rank")));
    assert_eq!((cos.len(), rank.len()), (7, 7));
    assert!(cos.iter().all(|c| (-1.0..=1.0).contains(c)), "{cos:?}");
    assert!(rank.iter().all(|s| (1.0..=16.0).contains(s)), "{rank:?}");
    still_works(&mut lab);
}

#[wasm_bindgen_test]
fn input_gradients_have_d_in_values_per_point_and_check_their_arguments() {
    let mut lab = small();
    let g = ok(lab.input_gradients(arr(&[0.1, 0.2, -0.3, 0.4, 0.5, 0.0]), arg(num(1.0))));
    assert_eq!(g.length(), 6);
    assert!(g.to_vec().iter().all(|v| v.is_finite()) && g.to_vec().iter().any(|v| *v != 0.0));
    // the default output is 0, and the two outputs' gradients differ
    let g0 = ok(lab.input_gradients(arr(&[0.1, 0.2]), None));
    assert_ne!(g0.to_vec(), g.to_vec()[..2].to_vec());
    fails(lab.input_gradients(arr(&[0.1, 0.2, 0.3]), None), "x");
    fails(lab.input_gradients(arr(&[0.1, f64::NAN]), None), "x");
    fails(lab.input_gradients("x".into(), None), "x");
    fails(lab.input_gradients(arr(&[0.1, 0.2]), arg(num(2.0))), "output");
    fails(lab.input_gradients(arr(&[0.1, 0.2]), arg(num(0.5))), "output");
    still_works(&mut lab);
}

#[wasm_bindgen_test]
fn evaluate_without_deletes_blocks_by_number() {
    let mut lab = small();
    losses(&mut lab, 50);
    let intact = lab.evaluate();
    let none = ok(lab.evaluate_without(arr(&[])));
    assert_eq!(get_f64(&get(&none, "test"), "loss"), get_f64(&get(&intact, "test"), "loss"));
    let two = ok(lab.evaluate_without(arr(&[1.0, 4.0])));
    assert_ne!(get_f64(&get(&two, "train"), "loss"), get_f64(&get(&intact, "train"), "loss"));
    fails(lab.evaluate_without(arr(&[0.0])), "blocks");
    fails(lab.evaluate_without(arr(&[5.0])), "blocks");
    fails(lab.evaluate_without(arr(&[1.5])), "blocks");
    fails(lab.evaluate_without(num(1.0)), "blocks");
    still_works(&mut lab);
}

#[wasm_bindgen_test]
fn output_change_grows_with_the_move_and_checks_its_arguments() {
    let mut lab = small();
    let small_move = ok(lab.output_change(arg(num(0.001)), arg(num(4.0))));
    let big_move = ok(lab.output_change(arg(num(0.1)), arg(num(4.0))));
    assert!(small_move > 0.0 && big_move > 10.0 * small_move, "{small_move} {big_move}");
    assert_eq!(ok(lab.output_change(None, None)), ok(lab.output_change(arg(num(0.01)), arg(num(8.0)))), "defaults 0.01 and 8, seeded");
    fails(lab.output_change(arg(num(0.0)), None), "rel");
    fails(lab.output_change(arg(num(2.0)), None), "rel");
    fails(lab.output_change(arg("a".into()), None), "rel");
    fails(lab.output_change(None, arg(num(0.0))), "draws");
    still_works(&mut lab);
}
