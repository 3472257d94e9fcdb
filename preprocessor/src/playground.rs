//! The live playground in a page: a chapter line `<!-- descent:playground -->` becomes the
//! playground's HTML, with its script, its styles and the WebAssembly module (gzipped, base64)
//! inline. Inline rather than a file beside the page: mdBook's HTML renderer empties the site
//! folder after preprocessors ran, and a page opened from `file://` may not fetch a file.
//!
//! Without a toolchain (or with `DESCENT_PLAYGROUND=off`) the line becomes a note saying what
//! the playground would need; the chapter's build-time figures are there either way.

use crate::config::Settings;
use crate::progress::Progress;
use crate::wasm;
use anyhow::{Context, Result};
use base64::Engine;
use std::io::Write;
use std::path::Path;

/// How a chapter's playground line begins: `<!-- descent:playground -->` alone, or with the
/// settings the playground starts from, `<!-- descent:playground optimiser=adam lr=0.19 -->`.
pub const MARKER: &str = "<!-- descent:playground";

/// Environment variable that leaves the playground out (`off`).
pub const SWITCH_ENV: &str = "DESCENT_PLAYGROUND";

/// The settings a marker line may give, each with what it accepts. Names must match the `key`s
/// of the script's menus (`playground/web/playground.js`); numbers must lie in its sliders.
const SETTINGS: [(&str, Accepts); 12] = [
    (
        "function",
        Accepts::Name(&["peaks", "rastrigin", "rosenbrock", "fancy", "angry"]),
    ),
    (
        "optimiser",
        Accepts::Name(&[
            "sgd",
            "sgd-momentum",
            "sgd-nesterov",
            "rmsprop",
            "adagrad",
            "adam",
            "adamw",
            "adamax",
        ]),
    ),
    ("lr", Accepts::Number(1e-4, 10.0)),
    ("momentum", Accepts::Number(0.0, 0.99)),
    ("beta1", Accepts::Number(0.0, 0.99)),
    ("beta2", Accepts::Number(0.9, 0.9999)),
    ("weight-decay", Accepts::Number(0.0, 10.0)),
    (
        "schedule",
        Accepts::Name(&["none", "exponential", "cosine"]),
    ),
    ("gamma", Accepts::Number(0.5, 1.0)),
    ("steps", Accepts::Number(1.0, 500.0)),
    ("x", Accepts::Number(-5.0, 5.0)),
    ("y", Accepts::Number(-5.0, 5.0)),
];

#[derive(Clone, Copy)]
enum Accepts {
    Name(&'static [&'static str]),
    Number(f64, f64),
}

/// The settings after the marker on `line` (trimmed), or `None` when it is not a marker line.
fn marker_args(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix(MARKER)?.strip_suffix("-->")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// Whether `content` has a marker on a line of its own.
pub fn wanted(content: &str) -> bool {
    content.lines().any(|l| marker_args(l).is_some())
}

/// The marker's settings as the `data-` attributes the script reads (` data-pg-lr="0.5"`).
///
/// # Errors
/// An unknown setting, a setting given twice, or a value the playground cannot take; the
/// message says which and what it accepts.
fn attributes(args: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut seen = Vec::new();
    for word in args.split_whitespace() {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "the playground setting `{word}` has no value; write it as key=value"
            ));
        };
        let Some(&(_, accepts)) = SETTINGS.iter().find(|(k, _)| *k == key) else {
            let keys: Vec<&str> = SETTINGS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "the playground has no setting `{key}`; it takes {}",
                keys.join(", ")
            ));
        };
        if seen.contains(&key) {
            return Err(format!("the playground setting `{key}` is given twice"));
        }
        seen.push(key);
        let value = match accepts {
            Accepts::Name(names) => {
                let lower = value.to_ascii_lowercase();
                if !names.contains(&lower.as_str()) {
                    return Err(format!(
                        "the playground's {key} cannot be `{value}`; choose one of {}",
                        names.join(", ")
                    ));
                }
                lower
            }
            Accepts::Number(lo, hi) => {
                let number: f64 = value.parse().map_err(|_| {
                    format!("the playground's {key} must be a number, not `{value}`")
                })?;
                let whole = key != "steps" || number.fract() == 0.0;
                if !(lo..=hi).contains(&number) || !whole {
                    return Err(format!(
                        "the playground's {key} is {value}; it takes {}from {lo} to {hi}",
                        if key == "steps" { "whole numbers " } else { "" }
                    ));
                }
                number.to_string()
            }
        };
        out.push_str(&format!(" data-pg-{key}=\"{value}\""));
    }
    Ok(out)
}

/// Every marker line of `content` whose settings are wrong: its line (from 1) and the reason.
pub fn check(content: &str) -> Vec<(usize, String)> {
    content
        .lines()
        .enumerate()
        .filter_map(|(i, l)| Some((i + 1, attributes(marker_args(l)?).err()?)))
        .collect()
}

/// `content` with every marker line replaced by `block`, carrying that line's settings; a line
/// whose settings are wrong becomes `error(reason)` (`check` reports them beforehand).
pub fn splice(content: &str, block: &str, error: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(content.len() + block.len());
    for line in content.split_inclusive('\n') {
        match marker_args(line).map(attributes) {
            Some(Ok(attrs)) => {
                out.push_str(&block.replacen(
                    "data-playground",
                    &format!("data-playground{attrs}"),
                    1,
                ));
                out.push('\n');
            }
            Some(Err(why)) => {
                out.push_str(&error(&why));
                out.push('\n');
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The playground's HTML: the live one when a toolchain builds the module, else the note
/// (and a one-line warning on stderr naming the fix).
///
/// # Errors
/// The module fails to build, or the playground's script or styles cannot be read.
pub fn block(settings: &Settings, progress: &Progress) -> Result<String> {
    if std::env::var(SWITCH_ENV).is_ok_and(|v| v == "off") {
        progress.line(&format!("the playground is left out ({SWITCH_ENV}=off)"));
        return Ok(fallback(
            "This build of the book leaves the live playground out.",
        ));
    }
    let Some((toolchain, version)) = wasm::detect_remembered(&settings.work_dir)? else {
        progress.line(&format!(
            "warning: the book is built without the live playground: no WebAssembly \
             toolchain; {}",
            wasm::HOW_TO_GET_ONE
        ));
        return Ok(fallback(
            "This build of the book has no live playground: it was built without a \
             WebAssembly toolchain.",
        ));
    };
    let module = wasm::module(settings, &toolchain, &version, progress)?;
    let web = wasm::crate_dir(settings).join("web");
    let read = |name: &str| {
        let path = web.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let packed = packed_memo(&settings.work_dir.join("wasm"), &module)?;
    Ok(live(
        &packed,
        module.len(),
        &read("playground.js")?,
        &read("playground.css")?,
    ))
}

/// [`packed`], kept in `dir` under the module's hash: compressing it at the best level takes
/// longer than the rest of a rebuild that changed nothing.
fn packed_memo(dir: &Path, module: &[u8]) -> Result<String> {
    let path = dir.join(format!("{}.gz.b64", blake3::hash(module).to_hex()));
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text);
    }
    let text = packed(module)?;
    crate::workspace::atomic_write(&path, text.as_bytes())?;
    wasm::remove_others(dir, &path);
    Ok(text)
}

/// The module gzipped, in base64.
fn packed(module: &[u8]) -> Result<String> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(module).context("cannot compress the module")?;
    let zipped = gz.finish().context("cannot compress the module")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(zipped))
}

const NEEDS: &str = "The live playground runs this book's own Rust optimisers, compiled to \
    WebAssembly, in the page: it needs JavaScript and WebAssembly. The figures below were \
    computed when the book was built.";

/// The note alone.
fn fallback(why: &str) -> String {
    format!(
        "<div class=\"descent-playground\"><p class=\"pg-fallback\">{why} The figures below \
         were computed when the book was built.</p></div>"
    )
}

/// The live playground: the note (which the script hides once the module runs), the styles,
/// the module (`packed`, of `bytes` bytes unpacked) and the script. No blank line inside:
/// Markdown would end the HTML block there.
fn live(packed: &str, bytes: usize, script: &str, styles: &str) -> String {
    format!(
        "<div class=\"descent-playground\" data-playground><p class=\"pg-fallback\">{NEEDS}</p></div>\n\
         <style>\n{}\n</style>\n\
         <script type=\"application/octet-stream\" id=\"descent-playground-wasm\" \
         data-encoding=\"gzip+base64\" data-bytes=\"{}\">{packed}</script>\n\
         <script>\n{}\n</script>",
        shipped(styles),
        bytes,
        shipped(script)
    )
}

/// A script or style sheet as the page carries it: without indentation, blank lines and
/// whole-line `//` comments (the sources keep them; neither file has a multi-line string).
fn shipped(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_line_becomes_the_block_and_nothing_else_changes() {
        let page = "# T\n\ntext\n<!-- descent:playground -->\nmore\n";
        assert!(wanted(page));
        let block = "<div data-playground></div>";
        assert_eq!(
            splice(page, block, |_| unreachable!()),
            "# T\n\ntext\n<div data-playground></div>\nmore\n"
        );
        assert!(!wanted("text <!-- descent:playground --> inline\n"));
        assert!(!wanted("<!-- descent:playgrounds -->\n"));
    }

    #[test]
    fn a_markers_settings_become_attributes_and_wrong_ones_say_what_is_accepted() {
        let page = "<!-- descent:playground function=Fancy optimiser=sgd lr=2 schedule=exponential gamma=0.8 steps=50 x=-4 y=4 -->\n";
        assert!(check(page).is_empty());
        let html = splice(page, "<div data-playground></div>", |_| unreachable!());
        assert_eq!(
            html,
            "<div data-playground data-pg-function=\"fancy\" data-pg-optimiser=\"sgd\" \
             data-pg-lr=\"2\" data-pg-schedule=\"exponential\" data-pg-gamma=\"0.8\" \
             data-pg-steps=\"50\" data-pg-x=\"-4\" data-pg-y=\"4\"></div>\n"
        );
        let wrong = |args: &str| {
            let page = format!("a\n<!-- descent:playground {args} -->\n");
            let found = check(&page);
            assert_eq!(found.len(), 1, "{args}: {found:?}");
            assert_eq!(found[0].0, 2);
            found[0].1.clone()
        };
        assert!(wrong("speed=3").contains("no setting `speed`; it takes function,"));
        assert!(wrong("optimiser=lbfgs").contains("one of sgd, sgd-momentum"));
        assert!(wrong("lr=fast").contains("must be a number, not `fast`"));
        assert!(wrong("lr=0").contains("from 0.0001 to 10"));
        assert!(wrong("steps=2.5").contains("whole numbers"));
        assert!(wrong("lr=1 lr=2").contains("given twice"));
        assert!(wrong("adam").contains("key=value"));
        let shown = splice(
            "<!-- descent:playground lr=-1 -->\n",
            "<div data-playground>",
            |why| format!("<p>{why}</p>"),
        );
        assert!(
            shown.starts_with("<p>the playground's lr is -1;"),
            "{shown}"
        );
    }

    #[test]
    fn the_shipped_script_is_within_its_15_kb() {
        let script = shipped(include_str!("../../playground/web/playground.js"));
        assert!(script.len() <= 15_000, "{} bytes", script.len());
        assert!(!script.contains("\n\n") && !script.contains("\n//"));
    }

    #[test]
    fn the_scripts_menus_know_every_name_a_marker_accepts() {
        let script = include_str!("../../playground/web/playground.js");
        for (key, accepts) in SETTINGS {
            if let Accepts::Name(names) = accepts {
                for name in names {
                    assert!(script.contains(&format!("key: '{name}'")), "{key} {name}");
                }
            }
            let attr = format!("pg{}", key.replace('-', ""));
            assert!(script.to_ascii_lowercase().contains(&attr), "{key}: {attr}");
        }
    }

    #[test]
    fn the_live_block_has_no_blank_line_and_carries_the_module() {
        let module = b"\0asm\x01\0\0\0";
        let html = live(
            &packed(module).unwrap(),
            module.len(),
            "var a = 1;\n\nvar b = 2;\n",
            "p {}\n\n",
        );
        assert!(!html.contains("\n\n"), "{html}");
        assert!(html.contains("data-bytes=\"8\""));
        assert!(html.contains("data-playground"));
        let fallback = fallback("No module.");
        assert!(fallback.contains("No module.") && !fallback.contains("<script"));
    }

    #[test]
    fn the_packed_module_is_kept_by_its_hash_and_unpacks_to_the_module() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let module: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let text = packed_memo(dir.path(), &module).unwrap();
        let kept = dir
            .path()
            .join(format!("{}.gz.b64", blake3::hash(&module).to_hex()));
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), text);
        std::fs::write(&kept, "kept").unwrap();
        assert_eq!(packed_memo(dir.path(), &module).unwrap(), "kept");
        let newer: Vec<u8> = module.iter().map(|b| b ^ 1).collect();
        packed_memo(dir.path(), &newer).unwrap();
        assert!(
            !kept.exists(),
            "a newer module's text replaces the older one"
        );
        let zipped = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, module);
    }
}
