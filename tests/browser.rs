//! Browser test: headless Chromium (Debian's `chromium`) opens fixture pages holding every
//! figure kind in mdBook's light and navy themes (mdBook's own `variables.css` when the cargo
//! registry has it) and checks, from screenshots and probes written into the DOM:
//! animations move between two moments (with and without the kit's script) while static
//! figures do not; the iteration slider pauses and scrubs; the radio buttons of a variant
//! family (one control, or two independent ones) switch it without script; text follows the
//! theme; no script errors.
//!
//! Needs `chromium` on PATH (or `DESCENT_CHROMIUM`); without it each test prints why it is
//! skipped. CI installs it with `apt-get install -y chromium`.

#[path = "browser/book.rs"]
mod book;
#[path = "browser/cdp.rs"]
mod cdp;
#[path = "browser/decay.rs"]
mod decay;
mod fixture;
#[path = "browser/landscapes.rs"]
mod landscapes;
#[path = "browser/playground.rs"]
mod playground;
#[path = "browser/reading.rs"]
mod reading;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Chromium runs one at a time: the machines running this have few cores.
static CHROMIUM: Mutex<()> = Mutex::new(());

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DESCENT_CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn skip_reason() -> Option<String> {
    if chromium().is_some() {
        return None;
    }
    Some(match std::env::var("DESCENT_CHROMIUM") {
        Ok(p) => format!("skipped: DESCENT_CHROMIUM={p} is not a file; point it at a Chromium binary"),
        Err(_) => "skipped: no chromium on PATH (install it with `apt-get install -y chromium`, or set DESCENT_CHROMIUM)".into(),
    })
}

/// Says (past the test harness's capture, so CI logs show it) why a test is skipped.
fn skipped() -> bool {
    use std::io::Write;
    match skip_reason() {
        Some(why) => {
            let _ = writeln!(std::io::stderr(), "browser test {why}");
            true
        }
        None => false,
    }
}

fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("figure-browser");
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

/// Runs headless Chromium on `page` with `extra` flags; returns (stdout, stderr). A run that
/// hangs (headless Chromium rarely never ends a virtual-time run on a loaded machine) is
/// killed after 150 s and tried once more; a second hang fails the test.
fn run_chromium(page: &Path, extra: &[String]) -> (String, String) {
    let _guard = CHROMIUM.lock().unwrap_or_else(|e| e.into_inner());
    let limit = Duration::from_secs(150);
    if let Some(out) = try_chromium(page, extra, limit) {
        return out;
    }
    eprintln!(
        "chromium hung for {} s on {}; trying once more",
        limit.as_secs(),
        page.display()
    );
    try_chromium(page, extra, limit).unwrap_or_else(|| {
        panic!(
            "chromium hung twice, {} s each, on {}",
            limit.as_secs(),
            page.display()
        )
    })
}

/// One Chromium run, or `None` when it did not end within `limit` (it is killed).
fn try_chromium(page: &Path, extra: &[String], limit: Duration) -> Option<(String, String)> {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut cmd = Command::new(chromium().expect("chromium"));
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .env("XDG_RUNTIME_DIR", "/tmp")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((
        reader.join().unwrap_or_default(),
        err_reader.join().unwrap_or_default(),
    ))
}

fn screenshot(page: &Path, out: &Path, budget_ms: u32, size: &str) -> Image {
    screenshot_with(page, out, budget_ms, size, &[])
}

/// [`screenshot`] with more Chromium flags.
fn screenshot_with(page: &Path, out: &Path, budget_ms: u32, size: &str, flags: &[&str]) -> Image {
    let _ = std::fs::remove_file(out);
    let mut args = vec![
        format!("--window-size={size}"),
        format!("--virtual-time-budget={budget_ms}"),
        format!("--screenshot={}", out.display()),
    ];
    args.extend(flags.iter().map(|f| f.to_string()));
    let (_, stderr) = run_chromium(page, &args);
    assert_no_console_errors(&stderr);
    decode_png(&std::fs::read(out).unwrap_or_else(|e| {
        panic!(
            "no screenshot {} ({e}); chromium said: {stderr}",
            out.display()
        )
    }))
}

fn dump_dom(page: &Path, budget_ms: u32) -> String {
    let (dom, stderr) = run_chromium(
        page,
        &[
            format!("--virtual-time-budget={budget_ms}"),
            "--dump-dom".into(),
        ],
    );
    assert_no_console_errors(&stderr);
    assert!(
        dom.contains("errors:0:"),
        "the page recorded script errors: {}",
        dom.split("errors:")
            .nth(1)
            .unwrap_or("(no record)")
            .split('<')
            .next()
            .unwrap_or("")
    );
    dom
}

fn assert_no_console_errors(stderr: &str) {
    for line in stderr.lines() {
        let bad = line.contains("Uncaught") || (line.contains("CONSOLE") && line.contains("ERROR"));
        assert!(!bad, "console error: {line}");
    }
}

/// A decoded screenshot: RGBA pixels.
struct Image {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

impl Image {
    fn differing_pixels(&self, other: &Image) -> usize {
        self.difference(other).0
    }

    /// How many pixels differ, and the box (x0, y0, x1, y1) around them.
    fn difference(&self, other: &Image) -> (usize, (usize, usize, usize, usize)) {
        assert_eq!(
            (self.width, self.height),
            (other.width, other.height),
            "screenshots of one size"
        );
        let mut bbox = (usize::MAX, usize::MAX, 0, 0);
        let mut n = 0;
        for (i, (a, b)) in self.rgba.chunks(4).zip(other.rgba.chunks(4)).enumerate() {
            if a != b {
                n += 1;
                let (x, y) = (i % self.width, i / self.width);
                bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
            }
        }
        (n, bbox)
    }
}

/// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
fn decode_png(png: &[u8]) -> Image {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let (mut pos, mut idat) = (8, Vec::new());
    let (mut width, mut height, mut channels) = (0, 0, 0);
    while pos + 8 <= png.len() {
        let len = u32::from_be_bytes([png[pos], png[pos + 1], png[pos + 2], png[pos + 3]]) as usize;
        let kind = &png[pos + 4..pos + 8];
        let data = &png[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
                height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]) as usize;
                assert_eq!(data[8], 8, "8-bit");
                assert_eq!(data[12], 0, "not interlaced");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("colour type {t}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("inflate");
    let stride = width * channels;
    let mut pixels = vec![0u8; stride * height];
    for r in 0..height {
        let filter = raw[r * (stride + 1)];
        let line = &raw[r * (stride + 1) + 1..(r + 1) * (stride + 1)];
        for i in 0..stride {
            let a = if i >= channels {
                pixels[r * stride + i - channels]
            } else {
                0
            };
            let b = if r > 0 {
                pixels[(r - 1) * stride + i]
            } else {
                0
            };
            let c = if r > 0 && i >= channels {
                pixels[(r - 1) * stride + i - channels]
            } else {
                0
            };
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                _ => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
            };
            pixels[r * stride + i] = line[i].wrapping_add(pred);
        }
    }
    let rgba = if channels == 4 {
        pixels
    } else {
        pixels
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    Image {
        width,
        height,
        rgba,
    }
}

/// The book-sized figures as mdBook delivers them: tag and attribute names in lower case.
/// Fewer differing pixels than this is rasterisation noise, not motion.
const STILL: usize = 100;

fn figures() -> Vec<(&'static str, usize, String)> {
    let all = fixture::all(fixture::Scale::Book).expect("book figures render");
    all.into_iter()
        .map(|(k, b, svg)| (k, b, fixture::mdbook_like(&svg)))
        .collect()
}

fn write_page(name: &str, html: &str) -> PathBuf {
    let path = work_dir().join(name);
    std::fs::write(&path, html).expect("write page");
    path
}

fn pick(
    all: &[(&'static str, usize, String)],
    kinds: &[&str],
) -> Vec<(&'static str, usize, String)> {
    all.iter()
        .filter(|f| kinds.contains(&f.0))
        .cloned()
        .collect()
}

#[test]
fn every_kind_renders_in_light_and_dark_and_animations_move() {
    if skipped() {
        return;
    }
    let all = figures();
    assert!(all[0].2.contains("viewbox="));
    let (css, source) = fixture::mdbook_variables_css();
    eprintln!("theme CSS: {source}");
    for theme in ["light", "navy"] {
        let dir = work_dir();
        // Each figure's own SMIL clock is paused at a chosen moment, so what is compared is the
        // animation at two times, not how far a loaded machine's headless clock got.
        let [early, late] = [0.3, 2.5].map(|at| {
            let name = format!("{theme}-at-{at}");
            let page = write_page(
                &format!("{name}.html"),
                &fixture::page(theme, &css, &all, &at_moment(at)),
            );
            if at < 1.0 {
                dump_dom(&page, 500);
            }
            screenshot(&page, &dir.join(format!("{name}.png")), 400, "1000,7600")
        });
        let moved = early.differing_pixels(&late);
        assert!(
            moved > 10 * STILL,
            "{theme}: the animations moved only {moved} pixels between 0.3 s and 2.5 s"
        );
    }
}

#[test]
fn without_the_script_each_animation_stops_and_replays_from_its_own_buttons() {
    if skipped() {
        return;
    }
    let animated = pick(
        &figures(),
        &[
            "animated heatmap",
            "animated path",
            "race",
            "animated surface",
        ],
    );
    let (css, _) = fixture::mdbook_variables_css();
    let page = write_page(
        "smil-stop.html",
        &fixture::page_with("light", &css, &animated, "", false),
    );
    // Real time, not virtual: SMIL is only sampled on animation frames, and seeking the clock
    // (`setCurrentTime`) would forget the clicks. Each figure's own "stop" is clicked where it
    // is drawn (and must be what is there), then what every animation shows (the animated
    // properties of each animated element, and where each moving head is) must hold still;
    // after "replay" it must move again. Growing paths are drawn by `<use>` of a path in
    // `<defs>`; the hidden original is not drawn, so it is not read.
    let script = "(async function(){\
         await new Promise(function(r){if(document.readyState==='complete')r();else addEventListener('load',r)});\
         function sleep(ms){return new Promise(function(r){setTimeout(r,ms)})}\
         function frame(){return new Promise(function(r){requestAnimationFrame(function(){requestAnimationFrame(r)})})}\
         async function settle(ms){await sleep(ms);await frame()}\
         function state(){return Array.prototype.filter.call(document.querySelectorAll('svg.dfig animate,svg.dfig animateTransform,svg.dfig animateMotion'),function(a){return !a.closest('defs')}).map(function(a){\
           var e=a.parentNode,c=getComputedStyle(e),m=e.getCTM();\
           return [c.strokeDashoffset,c.transform,c.visibility,c.opacity,c.d,m?m.e.toFixed(2)+','+m.f.toFixed(2):''].join('/')}).join(';')}\
         var covered=[];\
         function click(which){document.querySelectorAll('.dfig-smil g[id$=\"'+which+'\"]').forEach(function(b){\
           b.scrollIntoView({block:'center'});var r=b.getBoundingClientRect();\
           var hit=document.elementFromPoint(r.left+r.width/2,r.top+r.height/2);\
           if(!hit||!b.contains(hit))covered.push(b.id);\
           b.dispatchEvent(new MouseEvent('click',{bubbles:true}))})}\
         var buttons=document.querySelectorAll('.dfig-smil g[id$=\"stop\"]').length;\
         await settle(800);click('stop');await settle(700);var one=state();\
         await settle(1500);var two=state();click('play');await settle(500);var three=state();\
         await settle(1200);var four=state();\
         var A=one.split(';'),B=two.split(';'),moved=[];for(var i=0;i<A.length;i++)if(A[i]!==B[i])moved.push(i+': '+A[i]+' then '+B[i]);\
         return {moved:moved.slice(0,2),buttons:buttons,covered:covered,read:one.length>0,held:one===two,replayed:three!==two,moving:four!==three};\
         })()";
    let chromium = chromium().expect("chromium");
    let result = {
        let _guard = CHROMIUM.lock().unwrap_or_else(|e| e.into_inner());
        let mut session = cdp::Session::open(&chromium, &format!("file://{}", page.display()));
        session.evaluate(script)
    };
    assert_eq!(
        result["buttons"],
        animated.len(),
        "one stop button per animated figure: {result}"
    );
    assert_eq!(
        result["covered"],
        serde_json::json!([]),
        "buttons hidden under something else"
    );
    assert_eq!(result["read"], true, "no animation was read: {result}");
    assert_eq!(
        result["held"], true,
        "an animation moved after stop: {result}"
    );
    assert_eq!(
        result["replayed"], true,
        "replay did not restart the animations: {result}"
    );
    assert_eq!(
        result["moving"], true,
        "after replay the animations did not move: {result}"
    );
}

/// A script that, once the page has loaded, pauses every figure's animations at `seconds`.
fn at_moment(seconds: f64) -> String {
    format!(
        "window.addEventListener('load',function(){{document.querySelectorAll('svg').forEach(function(s){{\
         if(s.pauseAnimations){{s.pauseAnimations();s.setCurrentTime({seconds})}}}})}});"
    )
}

#[test]
fn static_figures_hold_still_and_animations_play_without_the_script() {
    if skipped() {
        return;
    }
    let all = figures();
    let (css, _) = fixture::mdbook_variables_css();
    let dir = work_dir();
    let still = pick(
        &all,
        &[
            "line chart",
            "image",
            "heatmap",
            "landscape 2-D",
            "landscape 3-D",
            "variants (landscape)",
        ],
    );
    let page = write_page("static.html", &fixture::page("light", &css, &still, ""));
    let a = screenshot(&page, &dir.join("static-early.png"), 1000, "900,3400");
    let b = screenshot(&page, &dir.join("static-late.png"), 3000, "900,3400");
    // Software rasterisation may re-draw a few anti-aliased edge pixels of the 3-D surface's
    // thousands of faces differently between two screenshots; motion changes thousands.
    let (n, bbox) = a.difference(&b);
    assert!(
        n < STILL,
        "static figures changed by {n} pixels between two moments, within {bbox:?}"
    );
    let moving = pick(&all, &["race", "animated surface"]);
    let page = write_page(
        "no-script.html",
        &fixture::page_with("coal", &css, &moving, "", false),
    );
    let a = screenshot(&page, &dir.join("no-script-early.png"), 400, "900,1300");
    let b = screenshot(&page, &dir.join("no-script-late.png"), 1200, "900,1300");
    assert!(
        a.differing_pixels(&b) > 5 * STILL,
        "without the script the animations did not play"
    );
    // A reader who asked for reduced motion sees the last step, still, with no script: the
    // moving surface gives way to a still copy of its last frame.
    let reduced = ["--force-prefers-reduced-motion"];
    let c = screenshot_with(
        &page,
        &dir.join("reduced-early.png"),
        400,
        "900,1300",
        &reduced,
    );
    let d = screenshot_with(
        &page,
        &dir.join("reduced-late.png"),
        1200,
        "900,1300",
        &reduced,
    );
    let (n, bbox) = c.difference(&d);
    assert!(
        n < STILL,
        "with reduced motion the figures changed by {n} pixels, within {bbox:?}"
    );
    assert!(
        c.differing_pixels(&a) > 5 * STILL,
        "with reduced motion the figures show their first step, not their last"
    );
}

/// A probe that sets the slider of the first animated figure to `step` and reports what the
/// figure then shows.
fn scrub_script(step: usize) -> String {
    format!(
        "window.addEventListener('load',function(){{var pre=document.createElement('pre');pre.id='probe';document.body.appendChild(pre);\
         var svg=document.querySelector('svg.dfig[data-steps]');var slider=svg.nextElementSibling.querySelector('input[type=range]');\
         slider.value='{step}';slider.dispatchEvent(new Event('input'));\
         setTimeout(function(){{var g=svg.querySelector('.counter > g > g');var l=g.transform.animVal;var m=l.numberOfItems?l.getItem(0):null;\
         var own=svg.querySelector('.dfig-smil');\
         pre.textContent='probe:'+JSON.stringify({{ownButtons:own?getComputedStyle(own).display:'absent',paused:svg.animationsPaused(),time:svg.getCurrentTime(),shift:m?m.matrix.f:null,shown:slider.nextElementSibling.textContent}})+':end';}},400);}});"
    )
}

fn probe(dom: &str) -> String {
    dom.rsplit("probe:")
        .next()
        .and_then(|s| s.split(":end").next())
        .unwrap_or_else(|| {
            panic!(
                "no probe in the page: {}",
                &dom[dom.len().saturating_sub(400)..]
            )
        })
        .replace("&quot;", "\"")
}

#[test]
fn the_slider_pauses_and_scrubs_to_a_step() {
    if skipped() {
        return;
    }
    let all = figures();
    let (css, _) = fixture::mdbook_variables_css();
    let race = pick(&all, &["race"]);
    let dt: f64 = race[0]
        .2
        .split("data-step-dur=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("step duration");
    let page20 = write_page(
        "scrub-20.html",
        &fixture::page("light", &css, &race, &scrub_script(20)),
    );
    let p = probe(&dump_dom(&page20, 2000));
    assert!(p.contains("\"paused\":true"), "{p}");
    assert!(
        p.contains("\"ownButtons\":\"none\""),
        "the figure's own stop/replay buttons give way to the script's player: {p}"
    );
    assert!(
        p.contains("\"shift\":-320"),
        "the counter shows step 20: {p}"
    );
    assert!(p.contains("\"shown\":\"20 / 50\""), "{p}");
    let time: f64 = p
        .split("\"time\":")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.parse().ok())
        .expect("time");
    assert!(
        (time - 20.0 * dt).abs() < dt / 2.0,
        "time {time} is step 20 ({})",
        20.0 * dt
    );
    let dir = work_dir();
    let a = screenshot(&page20, &dir.join("scrub-20-early.png"), 1000, "900,700");
    let b = screenshot(&page20, &dir.join("scrub-20-late.png"), 3000, "900,700");
    assert!(
        a.differing_pixels(&b) < STILL,
        "a scrubbed figure stays paused"
    );
    let page40 = write_page(
        "scrub-40.html",
        &fixture::page("light", &css, &race, &scrub_script(40)),
    );
    let c = screenshot(&page40, &dir.join("scrub-40.png"), 1000, "900,700");
    assert!(
        a.differing_pixels(&c) > 5 * STILL,
        "steps 20 and 40 look different"
    );
}

#[test]
fn radio_buttons_switch_variants_and_text_follows_the_theme() {
    if skipped() {
        return;
    }
    let all = figures();
    let (css, _) = fixture::mdbook_variables_css();
    let fam = pick(&all, &["variants (landscape)"]);
    let script = "window.addEventListener('load',function(){var pre=document.createElement('pre');document.body.appendChild(pre);\
        var svg=document.querySelector('svg.dfig');var p=svg.classList[1];\
        var shown=function(){return Array.prototype.map.call(svg.querySelectorAll('.'+p+'-v'),function(g){return getComputedStyle(g).display}).join(',')};\
        var before=shown();svg.querySelectorAll('input[type=radio]')[2].click();var after=shown();\
        var probe=document.createElement('div');probe.style.color='var(--fg)';document.body.appendChild(probe);\
        var text=svg.querySelector('g.fg text');\
        pre.textContent='probe:'+before+'|'+after+'|'+getComputedStyle(text).fill+'|'+getComputedStyle(probe).color+':end';});";
    let mut fgs = Vec::new();
    for theme in ["light", "navy"] {
        let page = write_page(
            &format!("variants-{theme}.html"),
            &fixture::page(theme, &css, &fam, script),
        );
        let p = probe(&dump_dom(&page, 1000));
        let parts: Vec<&str> = p.split('|').collect();
        assert_eq!(
            parts[0], "inline,none,none,none",
            "first variant shows at first"
        );
        assert_eq!(
            parts[1], "none,none,inline,none",
            "the third radio shows the third variant"
        );
        assert_eq!(
            parts[2], parts[3],
            "{theme}: text is drawn in the theme's --fg"
        );
        fgs.push(parts[2].to_owned());
        screenshot(
            &page,
            &work_dir().join(format!("variants-{theme}.png")),
            500,
            "900,700",
        );
    }
    assert_ne!(fgs[0], fgs[1], "light and navy text differ");
}

#[test]
fn two_controls_switch_the_combination_shown_without_script() {
    if skipped() {
        return;
    }
    let all = figures();
    let (css, _) = fixture::mdbook_variables_css();
    let fam = pick(&all, &["variants (two controls)"]);
    assert_eq!(fam.len(), 1);
    assert!(
        !fam[0].2.contains("<script"),
        "the figure itself has no script"
    );
    // The test clicks as a reader would; what is shown follows from the figure's CSS alone.
    let script = "window.addEventListener('load',function(){var pre=document.createElement('pre');document.body.appendChild(pre);\
        var svg=document.querySelector('svg.dfig');var p=svg.classList[1];\
        var shown=function(){var out=[];Array.prototype.forEach.call(svg.querySelectorAll('.'+p+'-v'),function(g,k){if(getComputedStyle(g).display!='none'){out.push(k)}});return out.join(' ')};\
        var radios=function(c){return svg.querySelectorAll('input[name='+p+'-r'+c+']')};\
        var a=shown();radios(1)[2].click();var b=shown();radios(0)[1].click();var c=shown();radios(1)[8].click();var d=shown();\
        pre.textContent='probe:'+[a,b,c,d].join('|')+':end';});";
    let page = write_page(
        "variants-two-controls.html",
        &fixture::page("light", &css, &fam, script),
    );
    let p = probe(&dump_dom(&page, 1500));
    // Options go batch size by batch size, 9 epoch counts each: (b, e) is group 9 b + e.
    assert_eq!(
        p, "0|2|11|17",
        "first combination, then epochs #3, then batch size #2 with it, then epochs #9"
    );
    screenshot(
        &page,
        &work_dir().join("variants-two-controls.png"),
        500,
        "900,700",
    );
}

/// The built book's folder and the HTML of its page `name`; `None`, saying so on stderr, when
/// the book has not been built (`cargo run --release -p mdbook-descent -- build`).
fn built_page_html(name: &str) -> Option<(PathBuf, String)> {
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/book");
    match std::fs::read_to_string(book.join(format!("{name}.html"))) {
        Ok(html) => Some((book, html)),
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "browser test skipped: no built {name}.html ({e}); build the book with \
                 `cargo run --release -p mdbook-descent -- build`"
            );
            None
        }
    }
}

#[test]
fn the_mnist_chapters_batch_size_control_switches_curves_without_javascript() {
    if skipped() {
        return;
    }
    let Some((book, html)) = built_page_html("mnist") else {
        return;
    };
    let title = "Training and test loss per batch size";
    assert!(
        html.contains(title),
        "the chapter has the GD-vs-SGD comparison"
    );
    // The page's own scripts are left out, so only CSS can switch the curves; the probe script
    // stands in for the reader's clicks and reports what CSS then shows.
    let body_end = html.rfind("</body>").expect("a body");
    let without_scripts: String = {
        let mut out = String::new();
        let mut rest = &html[..body_end];
        while let Some(start) = rest.find("<script") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("</script>").expect("closed script") + start + 9;
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    };
    let base = format!("<base href=\"file://{}/\">", book.display());
    // state(): the shown run groups with their first curve's colour, the shown legend texts,
    // x tick groups and zoom levels (with their stretch along x).
    let script = format!(
        "<script>var errors=0;window.addEventListener('error',function(){{errors++}});\
         window.addEventListener('load',function(){{var pre=document.createElement('pre');document.body.appendChild(pre);\
         var svg=document.querySelector('svg.dfig[aria-label=\"{title}\"]');var p=svg.classList[1];\
         var vis=function(e){{for(;e&&e!==svg;e=e.parentNode){{if(getComputedStyle(e).display==='none')return false}}return true}};\
         var shown=function(sel,f,root){{return Array.prototype.filter.call((root||svg).querySelectorAll(sel),vis).map(f).join(' ')}};\
         var cls=function(re){{return function(e){{return Array.prototype.filter.call(e.classList,function(c){{return re.test(c)}}).join('')}}}};\
         var state=function(){{return {{runs:shown('.'+p+'-R',function(g){{return cls(/-R\\d+$/)(g).replace(p+'-','')+'@'+getComputedStyle(g.querySelector('path')).stroke.split(' ').join('')}}),\
           legend:shown('.legend text',function(t){{return t.textContent}}),\
           ticks:shown('.'+p+'-T',cls(/-T\\d/)).split(p+'-').join(''),\
           levels:Array.prototype.filter.call(svg.querySelectorAll('.'+p+'-R'),vis).map(function(g){{return shown('.'+p+'-L',function(l){{return cls(/-L\\d/)(l).replace(p+'-','')+':'+getComputedStyle(l).transform}},g)}}).join('/')}}}};\
         var labels=function(g){{return Array.prototype.map.call(svg.querySelectorAll('input[name='+p+'-'+g+']'),function(i){{return i.parentNode.textContent}}).join(',')}};\
         var click=function(id){{svg.querySelector('#'+p+'-'+id).click()}};\
         var out={{menus:[labels('ga'),labels('gb'),labels('ge'),labels('gx')],first:state()}};\
         click('a0');out.batch1=state();click('e14');out.fifteen=state();click('x1');out.log=state();\
         click('b0');out.same=state();\
         pre.textContent='probe:'+JSON.stringify(out)+':end errors:'+errors+':';}});</script>"
    );
    let probe_page = format!(
        "{}{script}</body></html>",
        without_scripts.replacen("<head>", &format!("<head>{base}"), 1)
    );
    let path = write_page("mnist-probe.html", &probe_page);
    let out: serde_json::Value =
        serde_json::from_str(&probe(&dump_dom(&path, 1500))).expect("the probe's JSON");
    let sizes = "1,2,3,5,10,50,100,500,1000,6500,13007";
    let epochs: Vec<String> = (1..=20).map(|e| e.to_string()).collect();
    assert_eq!(
        out["menus"],
        serde_json::json!([sizes, sizes, epochs.join(","), "linear,log"]),
        "the tutorial's two batch-size menus, epochs 1-20 and the x scale"
    );
    let field = |state: &str, key: &str| out[state][key].as_str().unwrap_or_default().to_owned();
    // First: batch 500 (run 7) against GD (run 10) over 9 epochs, linear x, each in its menu's
    // colours, the level drawn for 9 epochs unstretched.
    let runs = field("first", "runs");
    let shown: Vec<&str> = runs
        .split(' ')
        .map(|r| r.split('@').next().unwrap_or(""))
        .collect();
    assert_eq!(shown, ["R7", "R10"], "{runs}");
    let colours: Vec<&str> = runs
        .split(' ')
        .filter_map(|r| r.split('@').nth(1))
        .collect();
    assert_ne!(
        colours[0], colours[1],
        "the two menus' runs have their own colours: {runs}"
    );
    assert_eq!(
        field("first", "legend"),
        "train, batch size 500 test, batch size 500 train, batch size 13007 test, batch size 13007"
    );
    assert_eq!(field("first", "ticks"), "T0-9");
    assert!(
        field("first", "levels")
            .split('/')
            .all(|l| l == "L0-1:matrix(1, 0, 0, 1, 0, 0)"),
        "{}",
        field("first", "levels")
    );
    // Batch 1 in the first menu keeps GD in the second.
    assert!(
        field("batch1", "runs").starts_with("R0@"),
        "{}",
        field("batch1", "runs")
    );
    assert!(field("batch1", "legend").contains("train, batch size 1 "));
    // 15 epochs: the 20-epoch level stretched by 20/15.
    assert_eq!(field("fifteen", "ticks"), "T0-15");
    let level = field("fifteen", "levels");
    assert!(level.starts_with("L0-0:matrix(1.3333, 0, 0, 1,"), "{level}");
    // The log x axis has its own ticks and levels.
    assert_eq!(field("log", "ticks"), "T1-15");
    assert!(
        field("log", "levels").starts_with("L1-"),
        "{}",
        field("log", "levels")
    );
    // Batch 1 in both menus: drawn once, one legend.
    assert_eq!(
        field("same", "runs").split(' ').count(),
        1,
        "{}",
        field("same", "runs")
    );
    assert_eq!(
        field("same", "legend"),
        "train, batch size 1 test, batch size 1"
    );
    screenshot(
        &path,
        &work_dir().join("mnist-family.png"),
        500,
        "1000,3000",
    );
}
