//! The reading experience in the browser, on the figure fixture and on the built book, in
//! mdBook's light and coal themes: the radio buttons stand out from the page without glaring
//! (color-scheme follows the theme, no bright white control on coal), every figure has its
//! title as a visible caption, the maths is set in the shipped STIX Math font
//! (`document.fonts`), and no text is smaller than 12 CSS px on a 360 px wide screen.

use std::path::PathBuf;

use super::{
    Image, built_page_html, figures, fixture, pick, probe, screenshot, skipped, work_dir,
    write_page,
};

/// Writes what the page shows into a `probe:...:end` record: the computed `color-scheme` of
/// the first radio button, its box, the page's background colour, the figures and their
/// captions, the maths font, and the smallest text (in CSS px on screen) in the main column.
const PROBE: &str = "window.addEventListener('load',function(){document.fonts.ready.then(function(){setTimeout(function(){\
var pre=document.createElement('pre');document.body.appendChild(pre);\
var r=document.querySelector('svg.dfig input[type=radio]');var box=r?r.getBoundingClientRect():null;\
var figs=document.querySelectorAll('figure.descent-figure');var captioned=0;\
Array.prototype.forEach.call(figs,function(f){var s=f.querySelector('svg.dfig');var c=f.querySelector('figcaption');\
if(s&&c&&c.textContent.trim()===s.getAttribute('aria-label')&&c.getBoundingClientRect().height>0){captioned++}});\
var groups=document.querySelectorAll('svg.dfig [role=radiogroup]');var named=0;\
Array.prototype.forEach.call(groups,function(g){var l=document.getElementById(g.getAttribute('aria-labelledby'));if(l&&l.textContent.trim()){named++}});\
var maths=document.querySelector('math');var mathsFont=maths?getComputedStyle(maths).fontFamily:'';\
var loaded=[];document.fonts.forEach(function(f){if(f.status==='loaded'){loaded.push(f.family.replace(/\"/g,''))}});\
var smallest=1e9,where='';var main=document.querySelector('main')||document.body;\
var walker=document.createTreeWalker(main,NodeFilter.SHOW_TEXT);while(walker.nextNode()){var n=walker.currentNode;\
if(!n.textContent.trim())continue;var e=n.parentElement;if(!e||e.closest('math,title,desc,style,script'))continue;\
var rects=e.getClientRects();if(!rects.length)continue;var cs=getComputedStyle(e);if(cs.visibility==='hidden')continue;\
var size=parseFloat(cs.fontSize);var svg=e.closest('svg');if(svg&&svg.getScreenCTM()){size*=svg.getScreenCTM().a}\
if(size<smallest){smallest=size;where=e.tagName+':'+n.textContent.trim().slice(0,30)}}\
pre.textContent='probe:'+JSON.stringify({scheme:r?getComputedStyle(r).colorScheme:null,\
box:box?[box.left,box.top,box.width,box.height]:null,bg:(function(){var b=getComputedStyle(document.body).backgroundColor;return b==='rgba(0, 0, 0, 0)'?getComputedStyle(document.documentElement).backgroundColor:b})(),\
figures:figs.length,captioned:captioned,groups:groups.length,named:named,\
mathsFont:mathsFont,mathsLoaded:document.fonts.check('16px \"Descent STIX Math\"'),loaded:loaded,\
smallest:smallest,where:where})+':end';},300)})});";

/// A theme forced before mdBook's own script reads it.
fn force_theme(html: &str, theme: &str) -> String {
    html.replacen(
        "<head>",
        &format!("<head><script>try{{localStorage.setItem('mdbook-theme','{theme}')}}catch(e){{}}</script>"),
        1,
    )
}

fn value(p: &str) -> serde_json::Value {
    serde_json::from_str(p).unwrap_or_else(|e| panic!("probe is not JSON ({e}): {p}"))
}

/// Relative luminance of an sRGB colour (WCAG).
fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The strongest contrast of a pixel inside `bx` (CSS px, scale 1) against the page's
/// background, and the share of that box that is near white.
fn control_pixels(img: &Image, bx: &serde_json::Value, bg: [u8; 3]) -> (f64, f64) {
    let f = |i: usize| bx[i].as_f64().expect("box");
    let (x0, y0) = (f(0).floor() as usize, f(1).floor() as usize);
    let (x1, y1) = (
        ((f(0) + f(2)).ceil() as usize).min(img.width),
        ((f(1) + f(3)).ceil() as usize).min(img.height),
    );
    assert!(x1 > x0 && y1 > y0, "the control is on screen: {bx}");
    let (mut best, mut white, mut n) = (1.0f64, 0usize, 0usize);
    let page = luminance(bg);
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * img.width + x) * 4;
            let px = [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
            let l = luminance(px);
            best = best.max(contrast(l, page));
            white += usize::from(l > 0.85);
            n += 1;
        }
    }
    (best, white as f64 / n as f64)
}

fn rgb(css: &str) -> [u8; 3] {
    let nums: Vec<u8> = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|v| v.trim().parse().expect("colour channel"))
        .collect();
    [nums[0], nums[1], nums[2]]
}

/// The page's DOM after its scripts ran, in a window of `size` (the probe's boxes are in that
/// layout), with no script errors.
fn dump_at(page: &std::path::Path, size: &str) -> String {
    let (dom, stderr) = super::run_chromium(
        page,
        &[
            format!("--window-size={size}"),
            "--virtual-time-budget=3000".into(),
            "--dump-dom".into(),
        ],
    );
    super::assert_no_console_errors(&stderr);
    assert!(dom.contains("errors:0:"), "the page recorded script errors");
    dom
}

/// Checks one page in one theme: the probe at 1000 px, a screenshot of its first control, and
/// the smallest text at 360 px.
fn check_page(label: &str, page: &std::path::Path, theme: &str, expect_maths: bool) {
    let p = value(&probe(&dump_at(page, "1000,6000")));
    let figures = p["figures"].as_u64().unwrap_or(0);
    assert!(figures > 0, "{label} ({theme}): no figures: {p}");
    assert_eq!(
        p["captioned"], p["figures"],
        "{label} ({theme}): every figure shows its title as a caption: {p}"
    );
    assert_eq!(
        p["named"], p["groups"],
        "{label} ({theme}): every radio group is named by its label: {p}"
    );
    let dark = theme != "light";
    if !p["box"].is_null() {
        assert_eq!(
            p["scheme"],
            if dark { "dark" } else { "light" },
            "{label} ({theme}): controls follow the theme: {p}"
        );
        let shot = screenshot(
            page,
            &work_dir().join(format!("reading-{label}-{theme}.png")),
            1500,
            "1000,6000",
        );
        let (best, white) = control_pixels(&shot, &p["box"], rgb(p["bg"].as_str().unwrap_or("")));
        assert!(
            best >= 3.0,
            "{label} ({theme}): the radio button stands out from the page (contrast {best:.2} < 3)"
        );
        if dark {
            assert!(
                white < 0.25,
                "{label} ({theme}): the radio button is not a bright white disc on a dark page \
                 ({:.0} % near white)",
                white * 100.0
            );
        }
    }
    if expect_maths {
        assert!(
            p["mathsFont"]
                .as_str()
                .is_some_and(|f| f.contains("Descent STIX Math"))
                && p["mathsLoaded"] == true,
            "{label} ({theme}): maths is set in the shipped STIX Math: {p}"
        );
    }
    let n = value(&probe(&dump_at(page, "360,2000")));
    let smallest = n["smallest"].as_f64().unwrap_or(0.0);
    assert!(
        smallest >= 11.9,
        "{label} ({theme}): text at 360 px is at least 12 CSS px, but {smallest:.1} px: {}",
        n["where"]
    );
}

#[test]
fn fixture_controls_captions_and_text_size_in_light_and_coal() {
    if skipped() {
        return;
    }
    let all = figures();
    let some = pick(
        &all,
        &[
            "line chart",
            "landscape 3-D",
            "variants (landscape)",
            "animated surface",
        ],
    );
    let (css, _) = fixture::mdbook_variables_css();
    for theme in ["light", "coal"] {
        let page = write_page(
            &format!("reading-fixture-{theme}.html"),
            &fixture::page(theme, &css, &some, PROBE),
        );
        check_page("fixture", &page, theme, false);
    }
}

/// The built chapter with the probe added and the theme forced; `None` when not built.
fn book_page(name: &str, theme: &str) -> Option<PathBuf> {
    let (book, html) = built_page_html(name)?;
    let base = format!(
        "<head><base href=\"file://{}/\"><script>window.__errors=[];window.addEventListener('error',function(e){{window.__errors.push(String(e.message))}});</script>",
        book.display()
    );
    let html = force_theme(&html.replacen("<head>", &base, 1), theme);
    let html = html.replacen(
        "</body>",
        &format!(
            "<pre id=\"errors\"></pre><script>{PROBE}\nwindow.addEventListener('load',function(){{setTimeout(function(){{document.getElementById('errors').textContent='errors:'+window.__errors.length+':'+window.__errors.join('|')}},50)}});</script></body>"
        ),
        1,
    );
    Some(write_page(
        &format!("reading-book-{name}-{theme}.html"),
        &html,
    ))
}

#[test]
fn the_built_book_has_typeset_maths_captions_and_legible_controls() {
    if skipped() {
        return;
    }
    for theme in ["light", "coal"] {
        let Some(page) = book_page("optimisation", theme) else {
            return;
        };
        check_page("optimisation", &page, theme, true);
    }
}
