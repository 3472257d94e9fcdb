//! The built loss-landscape chapter in the browser: the animated function landscape moves on
//! its own and its slider moves it (the point at p rides down to the goal), and the family of
//! loss landscapes switches rows with its radio buttons while the page runs none of its scripts.
//!
//! Needs the book built first (`cargo run --release -p mdbook-descent -- build`); without the
//! page, the test says so and is skipped, like a missing Chromium.

use std::path::PathBuf;

use super::{built_page_html, dump_dom, probe, skipped, work_dir};

const SURFACE: &str = "Function landscape during training";
const FAMILY: &str = "Loss landscapes side by side";

/// The built chapter with a `<base>` pointing at the book (its CSS and script load), the
/// page's error record that `dump_dom` checks, and `script` at the end; with `keep_js` false
/// every other `<script>` of the page is removed. `None` when the book is not built.
fn chapter(script: &str, keep_js: bool) -> Option<PathBuf> {
    let (book, html) = built_page_html("landscapes")?;
    let mut html = html;
    if !keep_js {
        let mut stripped = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(start) = rest.find("<script") {
            stripped.push_str(&rest[..start]);
            let end = rest[start..]
                .find("</script>")
                .map(|e| start + e + "</script>".len())
                .expect("every <script> is closed");
            rest = &rest[end..];
        }
        stripped.push_str(rest);
        html = stripped;
    }
    let head = format!(
        "<head><base href=\"file://{}/\"><script>window.__errors=[];window.addEventListener('error',function(e){{window.__errors.push(String(e.message))}});</script>",
        book.display()
    );
    let html = html.replacen("<head>", &head, 1).replacen(
        "</body>",
        &format!(
            "<pre id=\"errors\"></pre><script>{script}\nwindow.addEventListener('load',function(){{setTimeout(function(){{document.getElementById('errors').textContent='errors:'+window.__errors.length+':'+window.__errors.join('|')}},50)}});</script></body>"
        ),
        1,
    );
    let path = work_dir().join(format!(
        "book-landscapes-{}.html",
        if keep_js { "js" } else { "nojs" }
    ));
    std::fs::write(&path, html).expect("write page");
    Some(path)
}

/// A number `key` from the probe's JSON.
fn number(p: &str, key: &str) -> f64 {
    p.split(&format!("\"{key}\":"))
        .nth(1)
        .and_then(|s| s.split([',', '}']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{key} in {p}"))
}

#[test]
fn the_function_landscape_moves_over_time_and_its_slider_moves_it() {
    if skipped() {
        return;
    }
    // Where the riding point (the orange circle) and a face in the middle of the surface (half
    // way through the paint order) are on screen: at load; once the animation clock has moved on
    // by itself (polled: under load the headless clock lags virtual time, so how far it gets is
    // not the test) and has then been set one second on, so the surface's own timeline is what
    // moves it; then with the slider at the first and the last step.
    let script = format!(
        "window.addEventListener('load',function(){{var pre=document.createElement('pre');document.body.appendChild(pre);\
         var svg=document.querySelector('svg.dfig[aria-label=\"{SURFACE}\"]');var bar=svg.nextElementSibling;var slider=bar.querySelector('input[type=range]');\
         var rider=svg.querySelector('circle[fill=\"#f80\"]');var group=svg.querySelector('g[transform=\"scale(.5)\"]');var faces=group.children[Math.floor(group.children.length/2)];\
         var at=function(){{var r=rider.getBoundingClientRect(),b=faces.getBoundingClientRect();return {{y:r.top,top:b.top,h:b.height,t:svg.getCurrentTime()}}}};\
         var out={{steps:parseInt(svg.getAttribute('data-steps'),10),playing:!svg.animationsPaused()}};out.a=at();\
         var polls=0;var wait=function(){{if(svg.getCurrentTime()<out.a.t+0.05&&polls++<150){{setTimeout(wait,100);return;}}\
         out.ran=svg.getCurrentTime()-out.a.t;svg.setCurrentTime(out.a.t+1);\
         setTimeout(function(){{out.b=at();slider.value='0';slider.dispatchEvent(new Event('input'));\
         setTimeout(function(){{out.first=at();slider.value=slider.max;slider.dispatchEvent(new Event('input'));\
         setTimeout(function(){{out.last=at();out.paused=svg.animationsPaused();out.shown=bar.querySelector('output').textContent;\
         pre.textContent='probe:'+JSON.stringify(out)+':end';}},300);}},300);}},100);}};setTimeout(wait,500);}});"
    );
    let Some(page) = chapter(&script, true) else {
        return;
    };
    let p = probe(&dump_dom(&page, 20000));
    let steps = number(&p, "steps");
    assert_eq!(steps, 8.0, "nine keyframes over steps 0..=50: {p}");
    let get = |moment: &str, key: &str| -> f64 {
        let part = p
            .split(&format!("\"{moment}\":{{"))
            .nth(1)
            .unwrap_or_else(|| panic!("{moment} in {p}"));
        number(&format!("{{{part}"), key)
    };
    assert!(
        p.contains("\"playing\":true") && number(&p, "ran") > 0.0,
        "the animation plays on its own at load: {p}"
    );
    let moved = (get("b", "y") - get("a", "y")).abs() + (get("b", "h") - get("a", "h")).abs();
    assert!(moved > 5.0, "the surface moves while it plays: {p}");
    assert!(p.contains("\"paused\":true"), "the slider pauses: {p}");
    assert!(
        p.contains("\"shown\":\"50 / 50\""),
        "the slider shows the last training step, 50 of 50: {p}"
    );
    // From f_θ(p) = 0.757 to -0.972 on a z axis of [-1.5, 0.8]: the point goes well down.
    let drop = get("last", "y") - get("first", "y");
    assert!(
        drop > 40.0,
        "the slider moves the point at p down by {drop} px (want > 40): {p}"
    );
    assert!(
        (get("last", "top") - get("first", "top")).abs()
            + (get("last", "h") - get("first", "h")).abs()
            > 5.0,
        "the slider moves a face in the middle of the surface: {p}"
    );
}

#[test]
fn the_family_of_loss_landscapes_switches_rows_without_script() {
    if skipped() {
        return;
    }
    let script = format!(
        "window.addEventListener('load',function(){{var pre=document.createElement('pre');document.body.appendChild(pre);\
         var svg=document.querySelector('svg.dfig[aria-label=\"{FAMILY}\"]');var p=svg.classList[1];\
         var shown=function(){{return Array.prototype.map.call(svg.querySelectorAll('.'+p+'-v'),function(g){{return getComputedStyle(g).display==='none'?0:1}}).join('')}};\
         var radios=svg.querySelectorAll('input[type=radio]');var states=[shown()];\
         for(var k=radios.length-1;k>=0;k--){{radios[k].click();states.push(shown());}}\
         pre.textContent='probe:'+radios.length+'='+states.join(';')+':end';}});"
    );
    let Some(page) = chapter(&script, false) else {
        return;
    };
    let dom = dump_dom(&page, 1000);
    assert!(
        !dom.contains("dfig-player"),
        "the page's script did not run"
    );
    assert_eq!(
        probe(&dom),
        "3=100;001;010;100",
        "three rows; the first shows at first, and each button shows its own row alone"
    );
}

#[test]
fn the_landscapes_page_is_within_its_weight() {
    let page = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/book/landscapes.html");
    let Ok(meta) = std::fs::metadata(&page) else {
        eprintln!("skipped: no built landscapes.html; build the book first");
        return;
    };
    assert!(
        meta.len() <= 1_500_000,
        "landscapes.html is {} bytes, over its 1.5 MB limit",
        meta.len()
    );
}
