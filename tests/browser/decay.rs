//! The built weight-decay and learning-rate-decay chapters in the browser: every family figure
//! (λ, γ) switches with its radio buttons while the page runs none of its own scripts.
//!
//! Needs the book built first (`cargo run --release -p mdbook-descent -- build`); without the
//! page, the test says so and is skipped, like a missing Chromium.

use std::path::PathBuf;

use super::{built_page_html, dump_dom, probe, skipped, work_dir};

/// The built chapter `name` with every `<script>` of the page removed (so only CSS can switch
/// the families), a `<base>` pointing at the book for its CSS, and `probe` added as the only
/// script; `None` (with the reason on stderr) when the book is not built.
fn chapter_without_scripts(name: &str, probe: &str) -> Option<PathBuf> {
    let (book, html) = built_page_html(name)?;
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
    let head = format!(
        "<head><base href=\"file://{}/\"><script>window.__errors=[];window.addEventListener('error',function(e){{window.__errors.push(String(e.message))}});</script>",
        book.display()
    );
    let page = stripped.replacen("<head>", &head, 1).replacen(
        "</body>",
        &format!(
            "<pre id=\"errors\"></pre><script>{probe}\nwindow.addEventListener('load',function(){{setTimeout(function(){{document.getElementById('errors').textContent='errors:'+window.__errors.length+':'+window.__errors.join('|')}},50)}});</script></body>"
        ),
        1,
    );
    let path = work_dir().join(format!("book-{name}-nojs.html"));
    std::fs::write(&path, page).expect("write page");
    Some(path)
}

/// For every family figure: its title, the number of buttons, which variants show at first
/// and after clicking each button in turn (`1` shown, `0` hidden), as
/// `title=n:first;after(n-1);...;after0`, one row per line (`;`, since the dumped DOM escapes `>`).
const FAMILY_PROBE: &str = "window.addEventListener('load',function(){var pre=document.createElement('pre');document.body.appendChild(pre);\
    var out=[];document.querySelectorAll('svg.dfig').forEach(function(svg){var radios=svg.querySelectorAll('input[type=radio]');if(!radios.length)return;\
    var p=svg.classList[1];var shown=function(){return Array.prototype.map.call(svg.querySelectorAll('.'+p+'-v'),function(g){return getComputedStyle(g).display==='none'?0:1}).join('')};\
    var states=[shown()];for(var k=radios.length-1;k>=0;k--){radios[k].click();states.push(shown());}\
    out.push(svg.getAttribute('aria-label')+'='+radios.length+':'+states.join(';'));});\
    pre.textContent='probe:'+out.join('\\n')+':end';});";

/// Checks the probe's rows: the first variant alone shows at first, and button `k` shows
/// variant `k` alone; returns the titles and button counts.
fn check_families(p: &str) -> Vec<(String, usize)> {
    let mut seen = Vec::new();
    for row in p.lines() {
        let (title, rest) = row.split_once('=').expect("title=...");
        let (n, states) = rest.split_once(':').expect("n:states");
        let n: usize = n.parse().expect("a button count");
        let only =
            |k: usize| -> String { (0..n).map(|i| if i == k { '1' } else { '0' }).collect() };
        let states: Vec<&str> = states.split(';').collect();
        assert_eq!(states.len(), n + 1, "{title}: one state per click");
        assert_eq!(
            states[0],
            only(0),
            "{title}: the first variant shows at first"
        );
        for (click, state) in states[1..].iter().enumerate() {
            let k = n - 1 - click;
            assert_eq!(
                *state,
                only(k),
                "{title}: button {k} shows variant {k} alone"
            );
        }
        seen.push((title.to_owned(), n));
    }
    seen
}

#[test]
fn the_weight_decay_families_switch_without_script() {
    if skipped() {
        return;
    }
    let Some(page) = chapter_without_scripts("weight-decay", FAMILY_PROBE) else {
        return;
    };
    let dom = dump_dom(&page, 1000);
    assert!(
        !dom.contains("dfig-player"),
        "the figure script did not run"
    );
    let seen = check_families(&probe(&dom));
    let want = [
        ("Rastrigin plus (λ/2)|θ|² for a range of λ", 5),
        ("Rastrigin plus (λ/2)|θ|² along the diagonal", 5),
        ("Adam with weight decay and AdamW", 4),
        ("Shifted Rastrigin plus λ|θ|² along the diagonal", 5),
    ];
    let want: Vec<(String, usize)> = want.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect();
    assert_eq!(seen, want, "the chapter's four families, in order");
}

#[test]
fn the_learning_rate_family_switches_without_script() {
    if skipped() {
        return;
    }
    let Some(page) = chapter_without_scripts("lr-decay", FAMILY_PROBE) else {
        return;
    };
    let dom = dump_dom(&page, 1000);
    assert!(
        !dom.contains("dfig-player"),
        "the figure script did not run"
    );
    let seen = check_families(&probe(&dom));
    assert_eq!(seen, vec![("ExponentialLR for several γ".to_owned(), 6)]);
}
