//! The JS API (`src/wasm/`) method by method, inside wasm: under Node by default, in
//! headless Chromium with `WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver`
//! (the runner picks; nothing here pins an environment). Arguments are real `JsValue`s, so
//! the conversions and every error path of `src/wasm/` run as they do when JS calls them.
//! Every error must be a JS `Error` whose message starts with the field it names, and the
//! `Lab` must keep training after it.
//! This file: the constructor, training, evaluation, prediction and set_data; tests/wasm_state.rs
//! has weights, config, saved state, divergence and the theory calls.
#![cfg(target_arch = "wasm32")]

mod wasm_common;

use js_sys::{Array, Float32Array, Object, JSON};
use residual_lab::wasm::Lab;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_common::*;

// ---------------------------------------------------------------------------------------
// constructor

#[wasm_bindgen_test]
fn constructor_defaults_and_given_fields() {
    let d = ok(Lab::new(arg(undef())));
    let cfg = d.config();
    assert_eq!(get_f64(&get(&cfg, "model"), "depth"), 8.0);
    assert_eq!(get_f64(&get(&cfg, "model"), "width"), 32.0);
    assert_eq!(get(&get(&cfg, "optimizer"), "kind").as_string().unwrap(), "adam");
    assert_eq!(get_f64(&cfg, "seed"), 42.0);
    let n = ok(Lab::new(arg(JsValue::NULL)));
    assert_eq!(get_f64(&n.config(), "batch_size"), 64.0);
    let e = ok(Lab::new(arg(js("{}"))));
    assert_eq!(JSON::stringify(&e.config()).unwrap(), JSON::stringify(&cfg).unwrap());

    let l = lab(r#"{"model":{"kind":"plain","depth":3,"width":8,"activation":"tanh","norm":"layer"},
        "optimizer":{"kind":"sgd","lr":0.05},"data":{"name":"circles","n":64},"batch_size":16,"seed":5}"#);
    let cfg = l.config();
    let m = get(&cfg, "model");
    assert_eq!(get(&m, "kind").as_string().unwrap(), "plain");
    assert_eq!(get(&m, "activation").as_string().unwrap(), "tanh");
    assert_eq!(get_f64(&m, "depth"), 3.0);
    assert_eq!(get_f64(&get(&cfg, "optimizer"), "lr"), 0.05);
    assert_eq!(get(&get(&cfg, "data"), "name").as_string().unwrap(), "circles");
    assert_eq!(get_f64(&cfg, "seed"), 5.0);
    // defaults filled in for what was not given
    assert_eq!(get_f64(&get(&cfg, "optimizer"), "beta2"), 0.999);
}

#[wasm_bindgen_test]
fn constructor_rejects_bad_configs_naming_the_field() {
    let cases: &[(&str, &str)] = &[
        (r#"{"model":{"depth":0}}"#, "model.depth"),
        (r#"{"model":{"depth":10001}}"#, "model.depth"),
        (r#"{"model":{"depth":2.5}}"#, "model.depth"),
        (r#"{"model":{"depth":"8"}}"#, "model.depth"),
        (r#"{"model":{"width":-1}}"#, "model.width"),
        (r#"{"model":{"width":1e9}}"#, "model.width"),
        (r#"{"model":{"activation":"swish"}}"#, "model.activation"),
        (r#"{"model":{"norm":"group"}}"#, "model.norm"),
        (r#"{"model":{"kind":"dense"}}"#, "model.kind"),
        (r#"{"model":{"kind":"plain","init":"fixup"}}"#, "model.init"),
        (r#"{"model":{"init":"fixup","norm":"batch"}}"#, "model.init"),
        (r#"{"model":{"branch_layers":3}}"#, "model.branch_layers"),
        (r#"{"model":{"final_norm":"yes"}}"#, "model.final_norm"),
        (r#"{"model":{"colour":1}}"#, "model.colour"),
        (r#"{"model":5}"#, "model"),
        (r#"{"optimizer":{"lr":0}}"#, "optimizer.lr"),
        (r#"{"optimizer":{"lr":-0.1}}"#, "optimizer.lr"),
        (r#"{"optimizer":{"kind":"lbfgs"}}"#, "optimizer.kind"),
        (r#"{"optimizer":{"beta1":1}}"#, "optimizer.beta1"),
        (r#"{"optimizer":{"eps":0}}"#, "optimizer.eps"),
        (r#"{"optimizer":{"speed":2}}"#, "optimizer.speed"),
        (r#"{"data":{"n":3}}"#, "data.n"),
        (r#"{"data":{"name":"mnist"}}"#, "data.name"),
        (r#"{"data":{"name":"custom"}}"#, "data.name"),
        (r#"{"data":{"classes":1}}"#, "data.classes"),
        (r#"{"data":{"test_fraction":0.95}}"#, "data.test_fraction"),
        (r#"{"batch_size":0}"#, "batch_size"),
        (r#"{"batch_size":5000}"#, "batch_size"),
        (r#"{"bn_momentum":0}"#, "bn_momentum"),
        (r#"{"seed":-1}"#, "seed"),
        (r#"{"seed":4294967296}"#, "seed"),
        (r#"{"loss":"hinge"}"#, "loss"),
        (r#"{"loss":"mse"}"#, "loss"),
        (r#"{"data":{"name":"regression"},"loss":"cross_entropy"}"#, "loss"),
        (r#"{"model":{"depth":10000,"width":1024}}"#, "model.depth"),
        (r#"{"model":{"depth":100,"width":1024},"batch_size":1}"#, "model.width"),
        (r#"{"unknown":true}"#, "unknown"),
        ("[]", "config"),
        ("7", "config"),
        (r#""text""#, "config"),
        ("true", "config"),
    ];
    for (json, field) in cases {
        fails(Lab::new(arg(js(json))), field);
    }
    // Values JSON cannot write.
    fails(Lab::new(arg(nested("optimizer", "lr", num(f64::NAN)))), "optimizer.lr");
    fails(Lab::new(arg(nested("optimizer", "lr", num(f64::INFINITY)))), "optimizer.lr");
    fails(Lab::new(arg(nested("model", "leaky_slope", num(f64::NEG_INFINITY)))), "model.leaky_slope");
    fails(Lab::new(arg(nested("model", "depth", num(f64::NAN)))), "model.depth");
    fails(Lab::new(arg(nested("data", "noise", num(f64::NAN)))), "data.noise");
}

// ---------------------------------------------------------------------------------------
// train_step, train, probe, step_count

#[wasm_bindgen_test]
fn train_step_report_has_depth_plus_one_entries() {
    for json in [SMALL, r#"{"model":{"kind":"plain","depth":3,"width":8,"norm":"batch"},"seed":1}"#] {
        let mut l = lab(json);
        let depth = depth_of(&l);
        let r = l.train_step();
        assert_eq!(get_f64(&r, "step"), 1.0);
        assert!(loss_of(&r).is_finite() && loss_of(&r) > 0.0);
        let acc = get_f64(&r, "accuracy");
        assert!((0.0..=1.0).contains(&acc));
        assert!(get_f64(&r, "grad_norm") > 0.0);
        assert!(get(&r, "diverged").is_null());
        let layers = get(&r, "layers");
        let keys: Vec<String> = Object::keys(layers.unchecked_ref::<Object>()).iter().map(|k| k.as_string().unwrap()).collect();
        assert_eq!(
            keys,
            ["act_mean", "act_mean_sq", "act_var", "dead_frac", "grad_rms", "weight_grad_norm", "weight_norm", "update_ratio", "nonfinite"]
        );
        for k in &keys {
            let v = get(&layers, k);
            assert!(v.is_instance_of::<Float32Array>(), "{k} is a Float32Array");
            let xs = f32s(&v);
            assert_eq!(xs.len(), depth + 1, "{k} has depth + 1 entries");
            assert!(xs.iter().all(|x| x.is_finite()), "{k}: {xs:?}");
        }
        assert!(f32s(&get(&layers, "act_mean_sq")).iter().all(|&q| q > 0.0));
        assert!(f32s(&get(&layers, "nonfinite")).iter().all(|&n| n == 0.0));
        let head = get(&r, "head");
        for k in ["weight_grad_norm", "weight_norm", "update_ratio"] {
            assert!(get_f64(&head, k) > 0.0, "head.{k}");
        }
        assert_eq!(l.step_count(), 1.0);
        assert_eq!(get_f64(&l.train_step(), "step"), 2.0);
    }
}

#[wasm_bindgen_test]
fn regression_reports_null_accuracy() {
    let mut l = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"regression","n":64},"seed":3}"#);
    let r = l.train_step();
    assert!(get(&r, "accuracy").is_null());
    let e = l.evaluate();
    assert!(get(&get(&e, "train"), "accuracy").is_null());
    assert!(get(&get(&e, "test"), "accuracy").is_null());
    let d = l.data();
    assert_eq!(get(&d, "classification").as_bool(), Some(false));
    assert_eq!(get_f64(&d, "d_in"), 1.0);
    let p = f32s(&ok(l.predict(arr(&[0.0, 0.5, -0.5]))).into());
    assert_eq!(p.len(), 3);
}

#[wasm_bindgen_test]
fn loss_decreases_over_300_steps() {
    let mut l = lab(r#"{"model":{"depth":4,"width":16},"optimizer":{"lr":0.01},"batch_size":32,"data":{"n":256},"seed":7}"#);
    let before = l.evaluate();
    let ls = losses(&mut l, 300);
    let first: f64 = ls[..20].iter().sum::<f64>() / 20.0;
    let last: f64 = ls[280..].iter().sum::<f64>() / 20.0;
    assert!(ls.iter().all(|x| x.is_finite()));
    assert!(last < 0.7 * first, "first {first}, last {last}");
    let after = l.evaluate();
    let (b, a) = (get_f64(&get(&before, "train"), "loss"), get_f64(&get(&after, "train"), "loss"));
    assert!(a < 0.7 * b, "train loss {b} -> {a}");
    assert!(get_f64(&get(&after, "train"), "accuracy") > get_f64(&get(&before, "train"), "accuracy"));
    assert_eq!(l.step_count(), 300.0);
}

#[wasm_bindgen_test]
fn train_runs_n_steps_like_train_step() {
    let mut a = small();
    let mut b = small();
    let ls = losses(&mut a, 25);
    let r = ok(b.train(arg(num(25.0))));
    assert_eq!(get_f64(&r, "step"), 25.0);
    assert_eq!(b.step_count(), 25.0);
    assert_eq!(loss_of(&r), ls[24], "train(25) ends where 25 train_step calls end");
    // no argument (undefined or null) = 1 step
    ok(b.train(arg(undef())));
    ok(b.train(arg(JsValue::NULL)));
    assert_eq!(b.step_count(), 27.0);
}

#[wasm_bindgen_test]
fn train_rejects_bad_counts() {
    let mut l = small();
    for n in [num(0.0), num(-1.0), num(1.5), num(100_001.0), num(f64::NAN), num(f64::INFINITY), "5".into(), js("[3]"), js("{}"), JsValue::TRUE] {
        fails(l.train(arg(n)), "n");
        still_works(&mut l);
    }
    assert_eq!(l.step_count(), 10.0);
}

#[wasm_bindgen_test]
fn probe_measures_without_updating() {
    let mut l = small();
    ok(l.train(arg(num(5.0))));
    let w = JSON::stringify(&Array::from_iter(Object::values(l.get_weights().unchecked_ref::<Object>()).iter().map(|v| Array::from(&v)))).unwrap();
    let p1 = l.probe();
    let p2 = l.probe();
    assert_eq!(get_f64(&p1, "step"), 5.0);
    assert_eq!(loss_of(&p1), loss_of(&p2), "the probe batch is fixed");
    assert_eq!(f32s(&get(&get(&p1, "layers"), "grad_rms")), f32s(&get(&get(&p2, "layers"), "grad_rms")));
    assert_eq!(f32s(&get(&get(&p1, "layers"), "act_var")).len(), depth_of(&l) + 1);
    assert_eq!(l.step_count(), 5.0);
    let w2 = JSON::stringify(&Array::from_iter(Object::values(l.get_weights().unchecked_ref::<Object>()).iter().map(|v| Array::from(&v)))).unwrap();
    assert_eq!(w, w2, "probe changes no weight");
    // and it does not move the batch order: the next step is the one it would have been
    let mut twin = small();
    ok(twin.train(arg(num(5.0))));
    assert_eq!(loss_of(&l.train_step()), loss_of(&twin.train_step()));
}

// ---------------------------------------------------------------------------------------
// evaluate, data, predict, predict_grid

#[wasm_bindgen_test]
fn evaluate_covers_both_splits() {
    let mut l = small();
    let e = l.evaluate();
    let (tr, te) = (get(&e, "train"), get(&e, "test"));
    let d = l.data();
    assert_eq!(get_f64(&tr, "n"), get_f64(&d, "n_train"));
    assert_eq!(get_f64(&tr, "n") + get_f64(&te, "n"), 256.0);
    assert_eq!(get_f64(&te, "n"), 51.0); // round(256 * 0.2)
    for s in [&tr, &te] {
        assert!(get_f64(s, "loss").is_finite() && get_f64(s, "loss") > 0.0);
        assert!((0.0..=1.0).contains(&get_f64(s, "accuracy")));
    }
    // evaluate changes nothing
    let e2 = l.evaluate();
    assert_eq!(get_f64(&get(&e2, "test"), "loss"), get_f64(&te, "loss"));
    assert_eq!(l.step_count(), 0.0);
}

#[wasm_bindgen_test]
fn data_describes_the_built_in_set() {
    let l = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"blobs","classes":5,"n":100,"test_fraction":0.3}}"#);
    let d = l.data();
    let x = f32s(&get(&d, "x"));
    let y = f32s(&get(&d, "y"));
    assert_eq!(get_f64(&d, "d_in"), 2.0);
    assert_eq!(get_f64(&d, "d_out"), 5.0);
    assert_eq!(get_f64(&d, "n_train"), 70.0);
    assert_eq!(get(&d, "classification").as_bool(), Some(true));
    assert_eq!(x.len(), 200);
    assert_eq!(y.len(), 100);
    assert!(y.iter().all(|&c| c.fract() == 0.0 && (0.0..5.0).contains(&c)));
    for c in 0..5 {
        assert_eq!(y.iter().filter(|&&v| v == c as f32).count(), 20, "class {c}");
    }
}

#[wasm_bindgen_test]
fn predict_gives_probabilities() {
    let mut l = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"spiral","classes":3,"n":90}}"#);
    let x = some_points(); // 20 points
    let p = f32s(&ok(l.predict(Float32Array::from(&x[..]).into())).into());
    assert_eq!(p.len(), 20 * 3);
    for row in p.chunks(3) {
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-5 && row.iter().all(|&v| (0.0..=1.0).contains(&v)), "{row:?}");
    }
    // a plain array and a Float64Array give the same
    let xs: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    assert_eq!(f32s(&ok(l.predict(arr(&xs))).into()), p);
    assert_eq!(f32s(&ok(l.predict(js_sys::Float64Array::from(&xs[..]).into())).into()), p);
    // predict is a pure function of the weights: no step, same answer twice
    assert_eq!(f32s(&ok(l.predict(arr(&xs))).into()), p);
    assert_eq!(l.step_count(), 0.0);
    // more points than a batch
    let many: Vec<f64> = (0..2 * 200).map(|i| (i as f64 * 0.01).sin()).collect();
    let pm = f32s(&ok(l.predict(arr(&many))).into());
    assert_eq!(pm.len(), 200 * 3);
    let one = f32s(&ok(l.predict(arr(&many[398..]))).into());
    assert_eq!(&pm[597..], &one[..], "batched rows equal single rows");
}

#[wasm_bindgen_test]
fn predict_rejects_bad_inputs() {
    let mut l = small();
    let cases: Vec<JsValue> = vec![
        arr(&[]),
        arr(&[1.0, 2.0, 3.0]),
        arr(&[1.0]),
        Float32Array::new_with_length(5).into(),
        js(r#"[1, "2"]"#),
        js("[1, null]"),
        js("[[1, 2]]"),
        js(r#""1,2""#),
        js("{}"),
        js(r#"{"length": 2}"#),
        JsValue::NULL,
        undef(),
        num(2.0),
        js_sys::Int32Array::new_with_length(2).into(),
    ];
    for x in cases {
        fails(l.predict(x), "x");
        still_works(&mut l);
    }
}

#[wasm_bindgen_test]
fn predict_grid_layout_and_errors() {
    let mut l = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"spiral","classes":3,"n":90}}"#);
    let res = 5;
    let g = f32s(&ok(l.predict_grid(num(res as f64), arr(&[-1.0, 1.0, -2.0, 2.0]))).into());
    assert_eq!(g.len(), res * res * 3);
    // grid point (i, j) is x = -1 + 2 i / 4, y = -2 + 4 j / 4
    let (i, j) = (3, 1);
    let p = f32s(&ok(l.predict(arr(&[-1.0 + 2.0 * i as f64 / 4.0, -2.0 + 4.0 * j as f64 / 4.0]))).into());
    let k0 = (j * res + i) * 3;
    assert_eq!(&g[k0..k0 + 3], &p[..]);
    assert_eq!(f32s(&ok(l.predict_grid(num(2.0), arr(&[0.0, 1.0, 0.0, 1.0]))).into()).len(), 12);

    let bad_res = [num(1.0), num(0.0), num(-4.0), num(513.0), num(2.5), num(f64::NAN), num(f64::INFINITY), "8".into(), undef(), JsValue::NULL];
    for r in bad_res {
        fails(l.predict_grid(r, arr(&[0.0, 1.0, 0.0, 1.0])), "res");
        still_works(&mut l);
    }
    let bad_bounds = [
        arr(&[0.0, 1.0, 0.0]),
        arr(&[0.0, 1.0, 0.0, 1.0, 2.0]),
        arr(&[]),
        arr(&[1.0, 0.0, 0.0, 1.0]),
        arr(&[0.0, 1.0, 1.0, 1.0]),
        arr(&[0.0, f64::NAN, 0.0, 1.0]),
        arr(&[0.0, f64::INFINITY, 0.0, 1.0]),
        arr(&[-1e39, 1.0, 0.0, 1.0]), // overflows f32
        js(r#"[0, 1, "a", 1]"#),
        js(r#"{"xmin":0}"#),
        JsValue::NULL,
        undef(),
    ];
    for b in bad_bounds {
        fails(l.predict_grid(num(4.0), b), "bounds");
        still_works(&mut l);
    }
    // data that is not 2-D
    ok(l.set_data(arr(&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0, 0.0, 1.0]), arr(&[0.0, 1.0, 0.0, 1.0]), num(3.0)));
    fails(l.predict_grid(num(4.0), arr(&[0.0, 1.0, 0.0, 1.0])), "predict_grid");
    still_works(&mut l);
    let mut r = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"regression","n":32}}"#);
    fails(r.predict_grid(num(4.0), arr(&[0.0, 1.0, 0.0, 1.0])), "predict_grid");
    still_works(&mut r);
}

// ---------------------------------------------------------------------------------------
// set_data

#[wasm_bindgen_test]
fn set_data_replaces_the_data_and_rebuilds_the_net() {
    let mut l = small();
    ok(l.train(arg(num(3.0))));
    // 12 points in 3-D, 4 classes (labels 0..3)
    let x: Vec<f64> = (0..36).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect();
    let y: Vec<f64> = (0..12).map(|i| (i % 4) as f64).collect();
    ok(l.set_data(arr(&x), Float32Array::from(&y.iter().map(|&v| v as f32).collect::<Vec<_>>()[..]).into(), num(3.0)));
    assert_eq!(l.step_count(), 0.0, "a new net starts at step 0");
    let d = l.data();
    assert_eq!(f32s(&get(&d, "x")), x.iter().map(|&v| v as f32).collect::<Vec<_>>());
    assert_eq!(f32s(&get(&d, "y")), y.iter().map(|&v| v as f32).collect::<Vec<_>>());
    assert_eq!(get_f64(&d, "d_in"), 3.0);
    assert_eq!(get_f64(&d, "d_out"), 4.0);
    assert_eq!(get_f64(&d, "n_train"), 10.0); // round(12 * 0.2) = 2 test points
    let info = l.param_info();
    let first = Array::from(&info).get(0);
    assert_eq!(get(&first, "name").as_string().unwrap(), "stem.weight");
    assert_eq!(JSON::stringify(&get(&first, "shape")).unwrap(), "[16,3]");
    let w = l.get_weights();
    assert_eq!(f32s(&get(&w, "head.bias")).len(), 4);
    let cfg = l.config();
    assert_eq!(get(&get(&cfg, "data"), "name").as_string().unwrap(), "custom");
    assert_eq!(get_f64(&get(&cfg, "data"), "classes"), 4.0);
    let p = f32s(&ok(l.predict(arr(&x[..6]))).into());
    assert_eq!(p.len(), 2 * 4);
    still_works(&mut l);
    // regression targets with loss "mse": 2 outputs per point
    let mut r = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"regression","n":32},"loss":"mse"}"#);
    ok(r.set_data(arr(&[0.0, 1.0, 2.0, 3.0, 4.0]), arr(&[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]), num(1.0)));
    assert_eq!(get_f64(&r.data(), "d_out"), 2.0);
    assert_eq!(f32s(&ok(r.predict(arr(&[0.5, 1.5]))).into()).len(), 4);
    still_works(&mut r);
}

#[wasm_bindgen_test]
fn set_data_rejects_bad_data() {
    let mut l = small();
    let x4 = arr(&[0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0]); // 4 points in 2-D
    let y4 = arr(&[0.0, 1.0, 1.0, 0.0]);
    let cases: Vec<(JsValue, JsValue, JsValue, &str)> = vec![
        (x4.clone(), arr(&[0.0, 1.0, 1.0]), num(2.0), "y"),          // y too short
        (x4.clone(), arr(&[0.0, 1.0, 1.0, 0.0, 1.0]), num(2.0), "y"), // y too long
        (x4.clone(), arr(&[0.0, 1.5, 1.0, 0.0]), num(2.0), "y"),     // not an integer
        (x4.clone(), arr(&[0.0, -1.0, 1.0, 0.0]), num(2.0), "y"),    // negative
        (x4.clone(), arr(&[0.0, 64.0, 1.0, 0.0]), num(2.0), "y"),    // too many classes
        (x4.clone(), arr(&[0.0, f64::NAN, 1.0, 0.0]), num(2.0), "y"),
        (x4.clone(), js(r#"[0, "1", 1, 0]"#), num(2.0), "y"),
        (x4.clone(), js("null"), num(2.0), "y"),
        (arr(&[0.0, 0.0, 1.0]), y4.clone(), num(2.0), "x"),           // not a multiple of d_in
        (arr(&[]), arr(&[]), num(2.0), "x"),
        (arr(&[0.0, 1.0]), arr(&[0.0]), num(2.0), "x"),               // one point
        (arr(&[0.0, 0.0, 1.0, f64::INFINITY, 0.0, 1.0, 1.0, 0.0]), y4.clone(), num(2.0), "x"),
        (js(r#"{"0":1}"#), y4.clone(), num(2.0), "x"),
        (x4.clone(), y4.clone(), num(0.0), "d_in"),
        (x4.clone(), y4.clone(), num(1025.0), "d_in"),
        (x4.clone(), y4.clone(), num(1.5), "d_in"),
        (x4.clone(), y4.clone(), undef(), "d_in"),
        (x4.clone(), y4.clone(), "2".into(), "d_in"),
    ];
    let before = JSON::stringify(&Array::from(&get(&l.data(), "x"))).unwrap();
    for (x, y, d, field) in cases {
        fails(l.set_data(x, y, d), field);
        still_works(&mut l);
    }
    assert_eq!(JSON::stringify(&Array::from(&get(&l.data(), "x"))).unwrap(), before, "a rejected set_data changes nothing");
    // mse: y must be a positive multiple of n
    let mut r = lab(r#"{"model":{"depth":2,"width":8},"data":{"name":"regression","n":32},"loss":"mse"}"#);
    fails(r.set_data(arr(&[0.0, 1.0, 2.0, 3.0]), arr(&[0.0, 1.0, 2.0]), num(1.0)), "y");
    still_works(&mut r);
}
