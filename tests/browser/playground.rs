//! The optimisation chapter's live playground in the browser: the paths the page computes
//! (the library's optimisers compiled to WebAssembly) equal `descent::optim::run`'s to 1e-12,
//! a divergent one included; dragging the start, the arrow keys and the optimiser menu change
//! the path; without JavaScript the note and the build-time figures show; light and coal.
//!
//! Needs the book built with a WebAssembly toolchain (`cargo run --release -p mdbook-descent
//! -- build` after `scripts/setup.sh`); without the page, or with a page built without the
//! module, each test says so and is skipped, like a missing Chromium.

use std::path::PathBuf;

use descent::landscape::{Angry, Fancy, Landscape, Peaks, Rastrigin, Rosenbrock};
use descent::optim::{
    Adagrad, Adam, AdamW, Adamax, CosineAnnealingLr, ExponentialLr, Optimizer, Path, RmsProp, Sgd,
    run, run_scheduled,
};

use super::{built_page_html, dump_dom, probe, screenshot, skipped, work_dir};

/// The built chapter's HTML when it carries the live playground; `None`, saying why on stderr,
/// when the book is not built or was built without a WebAssembly toolchain.
fn live_chapter(chapter: &str) -> Option<(PathBuf, String)> {
    let (book, html) = built_page_html(chapter)?;
    if !html.contains("id=\"descent-playground-wasm\"") {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "browser test skipped: the built {chapter} chapter has no live playground (the \
             book was built without a WebAssembly toolchain; run `bash scripts/setup.sh` or \
             `rustup target add wasm32-unknown-unknown`, then build the book)"
        );
        return None;
    }
    let bytes: usize = html
        .split("data-bytes=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("the module's size");
    assert!(
        bytes <= 150_000,
        "the module is {bytes} bytes, over its 150 KB"
    );
    Some((book, html))
}

/// A page of the chapter's head and its playground alone (the rest of `<main>` left out, so
/// screenshots show it), in `theme`, recording script errors, with `script` at the end.
fn playground_page(chapter: &str, name: &str, theme: &str, script: &str) -> Option<PathBuf> {
    let (book, html) = live_chapter(chapter)?;
    let start = html
        .find("<div class=\"descent-playground\"")
        .expect("the playground's block");
    let script_start = html[start..]
        .find("<script>")
        .map(|i| start + i)
        .expect("the playground's script");
    let end = html[script_start..]
        .find("</script>")
        .map(|i| script_start + i + "</script>".len())
        .expect("a closed script");
    let main_start = html.find("<main>").expect("<main>") + "<main>".len();
    let main_end = html.find("</main>").expect("</main>");
    let page = format!(
        "{}{}{}",
        &html[..main_start],
        &html[start..end],
        &html[main_end..]
    );
    let head = format!(
        "<head><base href=\"file://{}/\"><script>try{{localStorage.setItem('mdbook-theme','{theme}')}}catch(e){{}}\
         window.__errors=[];window.addEventListener('error',function(e){{window.__errors.push(String(e.message))}});\
         window.addEventListener('unhandledrejection',function(e){{window.__errors.push(String(e.reason))}});</script>",
        book.display()
    );
    let page = page.replacen("<head>", &head, 1).replacen(
        "</body>",
        &format!("<script>{script}</script></body>"),
        1,
    );
    let path = work_dir().join(format!("playground-{name}.html"));
    std::fs::write(&path, page).expect("write page");
    Some(path)
}

/// Ends a probe: the text `probe:<json>:end errors:<n>:` in a `<pre>`.
const REPORT: &str = "function report(value){var pre=document.createElement('pre');document.body.appendChild(pre);\
    pre.textContent='probe:'+JSON.stringify(value)+':end errors:'+window.__errors.length+':'+window.__errors.join('|');}";

/// One setting as the page takes it, and the library's own path for it.
struct Case {
    js: &'static str,
    native: fn() -> Path,
}

fn cases() -> Vec<Case> {
    fn sched(f: &dyn Landscape, start: [f64; 2], mut opt: impl Optimizer<f64>, gamma: f64) -> Path {
        let mut s = ExponentialLr::new(&opt, gamma).unwrap();
        run_scheduled(f, start, &mut opt, &mut s, 200).unwrap()
    }
    vec![
        Case {
            js: "{function:0,optimiser:5,lr:0.1,momentum:0,beta1:0.9,beta2:0.999,weightDecay:0,schedule:0,gamma:1,steps:200,x:0.25,y:1.3}",
            native: || run(&Peaks, [0.25, 1.3], Adam::new(0.1).unwrap(), 200).unwrap(),
        },
        Case {
            js: "{function:1,optimiser:1,lr:0.01,momentum:0.9,beta1:0.9,beta2:0.999,weightDecay:0,schedule:0,gamma:1,steps:200,x:-2.45,y:-2.45}",
            native: || {
                let sgd = Sgd::builder(0.01).momentum(0.9).build().unwrap();
                run(&Rastrigin::default(), [-2.45, -2.45], sgd, 200).unwrap()
            },
        },
        Case {
            js: "{function:2,optimiser:2,lr:0.0005,momentum:0.5,beta1:0.9,beta2:0.999,weightDecay:0.01,schedule:0,gamma:1,steps:200,x:2,y:-2}",
            native: || {
                let sgd = Sgd::builder(0.0005)
                    .momentum(0.5)
                    .nesterov(true)
                    .weight_decay(0.01)
                    .build()
                    .unwrap();
                run(&Rosenbrock::default(), [2.0, -2.0], sgd, 200).unwrap()
            },
        },
        Case {
            js: "{function:3,optimiser:3,lr:0.05,momentum:0.24274,beta1:0.9,beta2:0.999,weightDecay:0,schedule:1,gamma:0.99,steps:200,x:-4,y:4}",
            native: || {
                let rms = RmsProp::builder(0.05).momentum(0.24274).build().unwrap();
                sched(&Fancy, [-4.0, 4.0], rms, 0.99)
            },
        },
        Case {
            js: "{function:4,optimiser:4,lr:0.5,momentum:0,beta1:0.9,beta2:0.999,weightDecay:0,schedule:2,gamma:1,steps:200,x:-2,y:2}",
            native: || {
                let mut opt = Adagrad::new(0.5).unwrap();
                let mut s = CosineAnnealingLr::new(&opt, 200, 0.0).unwrap();
                run_scheduled(&Angry, [-2.0, 2.0], &mut opt, &mut s, 200).unwrap()
            },
        },
        Case {
            js: "{function:0,optimiser:6,lr:0.3,momentum:0,beta1:0.8,beta2:0.99,weightDecay:0.1,schedule:0,gamma:1,steps:200,x:-1.5,y:-2}",
            native: || {
                let opt = AdamW::builder(0.3)
                    .betas(0.8, 0.99)
                    .weight_decay(0.1)
                    .build()
                    .unwrap();
                run(&Peaks, [-1.5, -2.0], opt, 200).unwrap()
            },
        },
        Case {
            js: "{function:1,optimiser:7,lr:0.2,momentum:0,beta1:0.9,beta2:0.999,weightDecay:0,schedule:0,gamma:1,steps:200,x:2.2,y:-1.1}",
            native: || {
                run(
                    &Rastrigin::default(),
                    [2.2, -1.1],
                    Adamax::new(0.2).unwrap(),
                    200,
                )
                .unwrap()
            },
        },
        // Diverges: plain SGD at lr 0.01 shoots off the Rosenbrock valley.
        Case {
            js: "{function:2,optimiser:0,lr:0.01,momentum:0.9,beta1:0.9,beta2:0.999,weightDecay:0,schedule:0,gamma:1,steps:200,x:2,y:-2}",
            native: || {
                run(
                    &Rosenbrock::default(),
                    [2.0, -2.0],
                    Sgd::new(0.01).unwrap(),
                    200,
                )
                .unwrap()
            },
        },
    ]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

// The timing loop is capped by a count too: under `--virtual-time-budget` the page's clock
// may stand still while a script runs, and a loop on the clock alone never ends.
#[test]
fn the_page_computes_the_librarys_own_paths() {
    if skipped() {
        return;
    }
    let cases = cases();
    let list: Vec<&str> = cases.iter().map(|c| c.js).collect();
    let script = format!(
        "{REPORT}window.descentPlayground.ready.then(function(ok){{var P=window.descentPlayground;\
         var paths=[{}].map(function(s){{return P.path(s)}});\
         var s={{function:0,optimiser:5,lr:0.1,momentum:0,beta1:0.9,beta2:0.999,weightDecay:0,schedule:0,gamma:1,steps:200,x:0.25,y:1.3}};\
         var t0=performance.now(),n=0;while(n<200||(performance.now()-t0<200&&n<20000)){{P.path(s);n++;}}\
         report({{ok:ok,paths:paths,ms:(performance.now()-t0)/n,runs:n}});}});",
        list.join(",")
    );
    let Some(page) = playground_page("optimisation", "parity", "light", &script) else {
        return;
    };
    let dom = dump_dom(&page, 5000);
    let report: serde_json::Value = serde_json::from_str(&probe(&dom)).expect("the probe's JSON");
    assert_eq!(report["ok"], true, "the module loaded: {report}");
    let paths = report["paths"].as_array().expect("paths");
    let mut diverged = 0;
    for (k, (case, page)) in cases.iter().zip(paths).enumerate() {
        let native = (case.native)();
        let points = page["points"].as_array().expect("points");
        let values = page["values"].as_array().expect("values");
        assert_eq!(points.len(), native.points.len(), "case {k}: {}", case.js);
        for (i, (p, q)) in points.iter().zip(&native.points).enumerate() {
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            assert!(
                close(x, q.x) && close(y, q.y),
                "case {k}, point {i}: the page's ({x}, {y}), the library's ({}, {})",
                q.x,
                q.y
            );
            let v = values[i].as_f64().unwrap();
            assert!(
                close(v, native.values[i]),
                "case {k}, value {i}: {v} vs {}",
                native.values[i]
            );
        }
        match native.diverged {
            Some(d) => {
                diverged += 1;
                assert_eq!(
                    page["diverged"]["step"].as_f64(),
                    Some(d.step as f64),
                    "case {k}"
                );
            }
            None => assert!(page["diverged"].is_null(), "case {k}: {}", page["diverged"]),
        }
    }
    assert_eq!(diverged, 1, "one case diverges");
    // The same path natively, for the ratio (BENCHMARKS.md).
    let started = std::time::Instant::now();
    let mut native_runs = 0u32;
    while native_runs < 200 || started.elapsed().as_millis() < 200 {
        std::hint::black_box(run(&Peaks, [0.25, 1.3], Adam::new(0.1).unwrap(), 200).unwrap());
        native_runs += 1;
    }
    let native_ms = started.elapsed().as_secs_f64() * 1e3 / f64::from(native_runs);
    let page_ms = report["ms"].as_f64().unwrap_or(f64::NAN);
    eprintln!(
        "a 200-step Adam path on peaks: {page_ms:.4} ms in the page ({} runs), {native_ms:.4} ms \
         natively ({native_runs} runs), ratio {:.2}",
        report["runs"],
        page_ms / native_ms
    );
}

#[test]
fn the_decay_chapters_playgrounds_start_from_their_own_runs() {
    if skipped() {
        return;
    }
    let state = "window.descentPlayground.ready.then(function(){\
        var root=document.querySelector('[data-playground]');\
        report({last:root.dataset.last,points:+root.dataset.points,\
        shown:Array.prototype.map.call(root.querySelectorAll('.pg-field:not([hidden])'),function(f){return f.textContent+'='+(f.querySelector('input,select')||{}).value})});});";
    let exponential = {
        let mut sgd = Sgd::new(2.0).unwrap();
        let mut schedule = ExponentialLr::new(&sgd, 0.8).unwrap();
        run_scheduled(&Fancy, [-4.0, 4.0], &mut sgd, &mut schedule, 50).unwrap()
    };
    let decayed = run(
        &Rastrigin::default(),
        [-2.45, -2.45],
        Adam::builder(0.19322).weight_decay(9.982).build().unwrap(),
        50,
    )
    .unwrap();
    for (chapter, native, shows) in [
        ("lr-decay", exponential, ["Learning rate2", "γ per step0.8"]),
        (
            "weight-decay",
            decayed,
            ["Learning rate0.19322", "Weight decay9.982"],
        ),
    ] {
        let Some(page) = playground_page(chapter, chapter, "light", &format!("{REPORT}{state}"))
        else {
            return;
        };
        let out: serde_json::Value =
            serde_json::from_str(&probe(&dump_dom(&page, 5000))).expect("the probe's JSON");
        assert_eq!(out["points"], 51, "{chapter}: {out}");
        let last: Vec<f64> = out["last"]
            .as_str()
            .expect("the path's end")
            .split(',')
            .map(|v| v.parse().expect("a number"))
            .collect();
        let end = native.points[50];
        assert!(
            close(last[0], end.x) && close(last[1], end.y),
            "{chapter}: the page's path ends at {last:?}, the chapter's run at {end:?}"
        );
        let fields = out["shown"].to_string();
        for label in shows {
            assert!(fields.contains(label), "{chapter}: {label} not in {fields}");
        }
    }
}

/// The page's last point, after the probe's actions: `x,y` of the path's end, the start inputs.
const DRAG: &str = "window.descentPlayground.ready.then(function(){\
    var root=document.querySelector('[data-playground]');var canvas=root.querySelector('canvas');\
    var sel=root.querySelectorAll('select');var inputs=root.querySelectorAll('input[type=number]');\
    var at=function(){return {last:root.dataset.last,x:+inputs[0].value,y:+inputs[1].value,points:+root.dataset.points,result:root.querySelector('.pg-result').textContent}};\
    var out={first:at()};var r=canvas.getBoundingClientRect();\
    var ev=function(type,fx,fy){canvas.dispatchEvent(new PointerEvent(type,{bubbles:true,pointerId:1,clientX:r.left+r.width*fx,clientY:r.top+r.height*fy}))};\
    ev('pointerdown',0.3,0.3);ev('pointermove',0.7,0.6);ev('pointerup',0.7,0.6);out.dragged=at();\
    sel[1].value='0';sel[1].dispatchEvent(new Event('change',{bubbles:true}));out.sgd=at();\
    canvas.focus();canvas.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));out.key=at();\
    out.labels=Array.prototype.map.call(root.querySelectorAll('select,input'),function(i){var l=root.querySelector('label[for='+i.id+']');return l?l.textContent:''});\
    report(out);});";

#[test]
fn dragging_the_start_and_changing_the_optimiser_change_the_path() {
    if skipped() {
        return;
    }
    let Some(page) = playground_page("optimisation", "drag", "light", &format!("{REPORT}{DRAG}"))
    else {
        return;
    };
    let dom = dump_dom(&page, 5000);
    let out: serde_json::Value = serde_json::from_str(&probe(&dom)).expect("the probe's JSON");
    let point = |v: &serde_json::Value| (v["x"].as_f64().unwrap(), v["y"].as_f64().unwrap());
    let last = |v: &serde_json::Value| -> (f64, f64) {
        let s = v["last"].as_str().expect("a last point");
        let (x, y) = s.split_once(',').expect("x,y");
        (x.parse().unwrap(), y.parse().unwrap())
    };
    assert_eq!(point(&out["first"]), (0.25, 1.3), "peaks' start at first");
    assert_eq!(
        out["first"]["points"], 201,
        "200 steps: {}",
        out["first"]["result"]
    );
    let (x, y) = point(&out["dragged"]);
    assert!(
        x > 0.5 && y < 0.0,
        "the drag moved the start to the lower right: ({x}, {y})"
    );
    assert_ne!(
        last(&out["first"]),
        last(&out["dragged"]),
        "dragging moved the path"
    );
    let adam = run(&Peaks, [x, y], Adam::new(0.1).unwrap(), 200).unwrap();
    let end = adam.last_point().unwrap();
    assert_eq!(
        last(&out["dragged"]),
        (end.x, end.y),
        "the dragged path is Adam's"
    );
    assert_ne!(
        last(&out["dragged"]),
        last(&out["sgd"]),
        "the optimiser menu changed the path"
    );
    let sgd = run(&Peaks, [x, y], Sgd::new(0.1).unwrap(), 200).unwrap();
    let end = sgd.last_point().unwrap();
    assert_eq!(last(&out["sgd"]), (end.x, end.y), "then SGD's path");
    let (kx, ky) = point(&out["key"]);
    assert!(
        (kx - (x + 0.06)).abs() < 1e-9 && ky == y,
        "the arrow key moved the start right: ({kx}, {ky})"
    );
    let labels: Vec<&str> = out["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        labels.iter().all(|l| !l.is_empty()),
        "every control has a label: {labels:?}"
    );
    let dir = work_dir();
    let light = screenshot(
        &playground_page("optimisation", "light", "light", "").unwrap(),
        &dir.join("playground-light.png"),
        3000,
        "900,1100",
    );
    let coal = screenshot(
        &playground_page("optimisation", "coal", "coal", "").unwrap(),
        &dir.join("playground-coal.png"),
        3000,
        "900,1100",
    );
    assert!(
        light.differing_pixels(&coal) > 10_000,
        "the playground follows the theme"
    );
}

#[test]
fn without_javascript_the_playground_says_what_it_needs() {
    if skipped() {
        return;
    }
    let script = "window.addEventListener('load',function(){var root=document.querySelector('.descent-playground');\
        var note=root.querySelector('.pg-fallback');var fam=document.querySelector('svg.dfig[aria-label^=\"Playground: peaks\"]');\
        report({note:note.textContent,shown:getComputedStyle(note).display!=='none'&&!note.hidden,canvas:!!root.querySelector('canvas'),family:!!fam});});";
    let Some((book, html)) = live_chapter("optimisation") else {
        return;
    };
    let mut stripped = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<script") {
        stripped.push_str(&rest[..start]);
        let end = rest[start..].find("</script>").expect("closed") + start + "</script>".len();
        rest = &rest[end..];
    }
    stripped.push_str(rest);
    let page = stripped
        .replacen(
            "<head>",
            &format!(
                "<head><base href=\"file://{}/\"><script>window.__errors=[];</script>",
                book.display()
            ),
            1,
        )
        .replacen(
            "</body>",
            &format!("<script>{REPORT}{script}</script></body>"),
            1,
        );
    let path = work_dir().join("playground-nojs.html");
    std::fs::write(&path, page).expect("write page");
    let out: serde_json::Value =
        serde_json::from_str(&probe(&dump_dom(&path, 1500))).expect("the probe's JSON");
    assert_eq!(out["shown"], true, "the note shows: {out}");
    assert!(
        out["note"]
            .as_str()
            .unwrap()
            .contains("needs JavaScript and WebAssembly"),
        "{out}"
    );
    assert_eq!(out["canvas"], false, "no live map without the script");
    assert_eq!(out["family"], true, "the build-time family is there");
}
