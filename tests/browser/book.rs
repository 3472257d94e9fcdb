//! The built book's pages in the browser: the optimisation chapter's opening animation scrubs
//! with its slider, and the playground's radio buttons switch paths without the page's script.
//!
//! Needs the book built first (`cargo run --release -p mdbook-descent -- build`); without the
//! page, the test says so and is skipped, like a missing Chromium.

use std::path::PathBuf;

use super::{built_page_html, dump_dom, probe, skipped, work_dir};

/// The built chapter, copied beside the work files with a `<base>` pointing at the book (so
/// its CSS and script load) and `script` added at the end; `None` when the book is not built.
fn chapter_page(name: &str, script: &str, keep_js: bool) -> Option<PathBuf> {
    let (book, html) = built_page_html(name)?;
    // The same error record as the fixture pages, which `dump_dom` checks.
    let base = format!(
        "<head><base href=\"file://{}/\"><script>window.__errors=[];window.addEventListener('error',function(e){{window.__errors.push(String(e.message))}});</script>",
        book.display()
    );
    let mut html = html.replacen("<head>", &base, 1);
    if !keep_js {
        // mdBook names the kit's script with a content hash: `assets/figures-<hash>.js`.
        while let Some(start) = html.find("<script src=\"assets/figures") {
            let end = html[start..]
                .find("</script>")
                .map_or(html.len(), |e| start + e + "</script>".len());
            html.replace_range(start..end, "");
        }
    }
    let html = html.replacen("</body>", &format!(
            "<pre id=\"errors\"></pre><script>{script}\nwindow.addEventListener('load',function(){{setTimeout(function(){{document.getElementById('errors').textContent='errors:'+window.__errors.length+':'+window.__errors.join('|')}},50)}});</script></body>"
        ),
        1,
    );
    let path = work_dir().join(format!(
        "book-{name}-{}.html",
        if keep_js { "js" } else { "nojs" }
    ));
    std::fs::write(&path, html).expect("write page");
    Some(path)
}

#[test]
fn the_opening_animation_scrubs_to_a_step() {
    if skipped() {
        return;
    }
    let script = "window.addEventListener('load',function(){setTimeout(function(){var pre=document.createElement('pre');document.body.appendChild(pre);\
        var svg=document.querySelector('svg.dfig[data-steps]');var bar=svg.nextElementSibling;var slider=bar.querySelector('input[type=range]');\
        slider.value='20';slider.dispatchEvent(new Event('input'));\
        setTimeout(function(){pre.textContent='probe:'+JSON.stringify({label:svg.getAttribute('aria-label'),paused:svg.animationsPaused(),time:svg.getCurrentTime(),dt:parseFloat(svg.getAttribute('data-step-dur')),shown:bar.querySelector('output').textContent})+':end';},300);},200);});";
    let Some(page) = chapter_page("optimisation", script, true) else {
        return;
    };
    let p = probe(&dump_dom(&page, 2000));
    assert!(
        p.contains("\"label\":\"Adam on peaks\""),
        "the first animation is the opening one: {p}"
    );
    assert!(p.contains("\"paused\":true"), "the slider pauses: {p}");
    assert!(
        p.contains("\"shown\":\"20 / 50\""),
        "the slider shows step 20 of 50: {p}"
    );
    let num = |key: &str| -> f64 {
        p.split(&format!("\"{key}\":"))
            .nth(1)
            .and_then(|s| s.split([',', '}']).next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{key} in {p}"))
    };
    let (time, dt) = (num("time"), num("dt"));
    assert!(
        (time - 20.0 * dt).abs() < dt / 2.0,
        "time {time} is step 20 ({})",
        20.0 * dt
    );
}

#[test]
fn the_playground_switches_optimiser_and_steps_without_script() {
    if skipped() {
        return;
    }
    // The page's own script is removed: only CSS switches the variants. The probe clicks.
    let script = "window.addEventListener('load',function(){var pre=document.createElement('pre');document.body.appendChild(pre);\
        var out=[];document.querySelectorAll('svg.dfig').forEach(function(svg){var l=svg.getAttribute('aria-label')||'';if(l.indexOf('Playground')!==0)return;\
        var p=svg.classList[1];var shown=function(){return Array.prototype.map.call(svg.querySelectorAll('.'+p+'-v'),function(g){return getComputedStyle(g).display==='none'?0:1}).join('')};\
        var radios=svg.querySelectorAll('input[name='+p+'-r]');var before=shown();radios[7].click();var after=shown();\
        var pieces=function(){var g=svg.querySelector('.'+p+'-v7');return [0,1,2,3].map(function(b){return Array.prototype.filter.call(g.querySelectorAll('.u'+b),function(e){return getComputedStyle(e).display!=='none'}).length}).join(',')};\
        var whole=pieces();svg.querySelector('#'+p+'-u0').click();var ten=pieces();svg.querySelector('#'+p+'-u3').click();\
        out.push(l+'='+radios.length+':'+before+';'+after+';'+whole+';'+ten+';'+pieces());});\
        pre.textContent='probe:'+out.join('|')+':end';});";
    let Some(page) = chapter_page("optimisation", script, false) else {
        return;
    };
    let dom = dump_dom(&page, 1000);
    assert!(
        !dom.contains("dfig-player"),
        "the page's script did not run"
    );
    let p = probe(&dom);
    let rows: Vec<&str> = p.split('|').collect();
    assert_eq!(rows.len(), 4, "four playground figures: {p}");
    for row in rows {
        let (name, rest) = row.split_once('=').expect("name=...");
        let (n, states) = rest.split_once(':').expect("n:states");
        let n: usize = n.parse().expect("radio count");
        let first: String = (0..n).map(|k| if k == 0 { '1' } else { '0' }).collect();
        let eighth: String = (0..n).map(|k| if k == 7 { '1' } else { '0' }).collect();
        let states: Vec<&str> = states.split(';').collect();
        assert_eq!(
            states[..2],
            [first, eighth],
            "{name}: the eighth radio shows the eighth optimiser"
        );
        // Steps: pieces up to 10, 50, 100 and 200 steps of the eighth optimiser's paths (four
        // learning rates, halo and line each). 200 steps shows every piece, 10 the first only.
        let count = |s: &str| -> Vec<usize> { s.split(',').map(|n| n.parse().unwrap()).collect() };
        let (whole, ten, again) = (count(states[2]), count(states[3]), count(states[4]));
        assert!(
            whole.iter().all(|&n| n > 0),
            "{name}: pieces shown {whole:?}"
        );
        assert_eq!(
            ten,
            [whole[0], 0, 0, 0],
            "{name}: 10 steps shows the first pieces only"
        );
        assert_eq!(again, whole, "{name}: 200 steps shows them all again");
    }
}

#[test]
fn the_optimisation_page_is_within_its_weight() {
    let page = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/book/optimisation.html");
    let Ok(meta) = std::fs::metadata(&page) else {
        eprintln!("skipped: no built optimisation.html; build the book first");
        return;
    };
    assert!(
        meta.len() <= 1_500_000,
        "optimisation.html is {} bytes, over its 1.5 MB limit",
        meta.len()
    );
}
