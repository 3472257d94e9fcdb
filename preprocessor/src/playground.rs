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

/// The line a chapter writes where the playground goes.
pub const MARKER: &str = "<!-- descent:playground -->";

/// Environment variable that leaves the playground out (`off`).
pub const SWITCH_ENV: &str = "DESCENT_PLAYGROUND";

/// Whether `content` has the marker on a line of its own.
pub fn wanted(content: &str) -> bool {
    content.lines().any(|l| l.trim() == MARKER)
}

/// `content` with every marker line replaced by `block`.
pub fn splice(content: &str, block: &str) -> String {
    let mut out = String::with_capacity(content.len() + block.len());
    for line in content.split_inclusive('\n') {
        if line.trim() == MARKER {
            out.push_str(block);
            out.push('\n');
        } else {
            out.push_str(line);
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
    live(&module, &read("playground.js")?, &read("playground.css")?)
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
/// the module and the script. No blank line inside: Markdown would end the HTML block there.
fn live(module: &[u8], script: &str, styles: &str) -> Result<String> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(module).context("cannot compress the module")?;
    let packed = base64::engine::general_purpose::STANDARD
        .encode(gz.finish().context("cannot compress the module")?);
    let dense = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(format!(
        "<div class=\"descent-playground\" data-playground><p class=\"pg-fallback\">{NEEDS}</p></div>\n\
         <style>\n{}\n</style>\n\
         <script type=\"application/octet-stream\" id=\"descent-playground-wasm\" \
         data-encoding=\"gzip+base64\" data-bytes=\"{}\">{packed}</script>\n\
         <script>\n{}\n</script>",
        dense(styles),
        module.len(),
        dense(script)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_line_becomes_the_block_and_nothing_else_changes() {
        let page = "# T\n\ntext\n<!-- descent:playground -->\nmore\n";
        assert!(wanted(page));
        assert_eq!(
            splice(page, "<div></div>"),
            "# T\n\ntext\n<div></div>\nmore\n"
        );
        assert!(!wanted("text <!-- descent:playground --> inline\n"));
    }

    #[test]
    fn the_live_block_has_no_blank_line_and_carries_the_module() {
        let html = live(b"\0asm\x01\0\0\0", "var a = 1;\n\nvar b = 2;\n", "p {}\n\n").unwrap();
        assert!(!html.contains("\n\n"), "{html}");
        assert!(html.contains("data-bytes=\"8\""));
        assert!(html.contains("data-playground"));
        let fallback = fallback("No module.");
        assert!(fallback.contains("No module.") && !fallback.contains("<script"));
    }
}
