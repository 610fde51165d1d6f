//! The JS API (`src/wasm.rs`) method by method, inside wasm: under Node by default, in
//! headless Chromium with `WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver`
//! (the runner picks; nothing here pins an environment). Arguments are real `JsValue`s, so
//! the conversions and every error path of `wasm.rs` run as they do when JS calls them.
//! Every error must be a JS `Error` whose message starts with the field it names, and the
//! `Lab` must keep training after it.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float32Array, Object, Reflect, JSON};
use residual_lab::wasm::Lab;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

// ---------------------------------------------------------------------------------------
// Helpers

/// A JS value from JSON text.
/// An optional JS argument as the binding's typed `Option` (`undefined` passes through).
fn arg<T: JsCast>(v: JsValue) -> Option<T> {
    Some(v.unchecked_into())
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("bad JSON in a test: {json}"))
}

fn num(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn undef() -> JsValue {
    JsValue::UNDEFINED
}

/// `{ section: { key: value } }`, for values JSON cannot write (NaN, Infinity, undefined).
fn nested(section: &str, key: &str, value: JsValue) -> JsValue {
    let inner = Object::new();
    Reflect::set(&inner, &key.into(), &value).unwrap();
    let outer = Object::new();
    Reflect::set(&outer, &section.into(), &inner).unwrap();
    outer.into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

fn get_f64(obj: &JsValue, key: &str) -> f64 {
    get(obj, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

fn f32s(v: &JsValue) -> Vec<f32> {
    v.dyn_ref::<Float32Array>().expect("a Float32Array").to_vec()
}

fn arr(xs: &[f64]) -> JsValue {
    xs.iter().map(|&x| JsValue::from_f64(x)).collect::<Array>().into()
}

/// The message of an error, checking it is a JS `Error`.
fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    let e = v.dyn_into::<js_sys::Error>().expect("errors are JS Error objects");
    let m: String = e.message().into();
    assert!(!m.is_empty(), "empty error message");
    m
}

fn ok<T>(r: Result<T, JsError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {}", message(e)),
    }
}

/// Asserts `r` failed with a message starting with `field` (": " follows the field).
#[track_caller]
fn fails<T>(r: Result<T, JsError>, field: &str) -> String {
    match r {
        Ok(_) => panic!("expected an error naming {field}, got Ok"),
        Err(e) => {
            let m = message(e);
            assert!(m.starts_with(&format!("{field}: ")), "message {m:?} should start with {field:?}");
            m
        }
    }
}

const SMALL: &str = r#"{"model":{"depth":4,"width":16},"batch_size":32,"data":{"n":256},"seed":7}"#;

fn small() -> Lab {
    ok(Lab::new(arg(js(SMALL))))
}

fn lab(json: &str) -> Lab {
    ok(Lab::new(arg(js(json))))
}

fn loss_of(report: &JsValue) -> f64 {
    get_f64(report, "loss")
}

fn losses(lab: &mut Lab, n: usize) -> Vec<f64> {
    (0..n).map(|_| loss_of(&lab.train_step())).collect()
}

/// A bad call must leave the lab training normally.
#[track_caller]
fn still_works(lab: &mut Lab) {
    let before = lab.step_count();
    let l = loss_of(&lab.train_step());
    assert!(l.is_finite(), "loss {l} after an error");
    assert_eq!(lab.step_count(), before + 1.0);
}

fn depth_of(lab: &Lab) -> usize {
    get_f64(&get(&lab.config(), "model"), "depth") as usize
}

/// Grid of points covering the spiral data.
fn some_points() -> Vec<f32> {
    (0..40).map(|i| ((i * 37) % 23) as f32 / 11.5 - 1.0).collect()
}

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
    assert_eq!(geo.len(), 6);
    for l in 0..6 {
        assert!(p10[l] <= geo[l] && geo[l] <= p90[l], "layer {l}: {} {} {}", p10[l], geo[l], p90[l]);
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
    assert_eq!(f32s(&get(&pd, "sw2")).len(), 8);
    // Schoenholz et al. 2017, Fig. 1: tanh at s_b^2 = 0.05 is critical near s_w^2 = 1.76.
    let c = ok(Lab::critical_sw2("tanh".into(), num(0.05))).unwrap();
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
