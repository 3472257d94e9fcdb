//! The built site checked for CI, offline: every SUMMARY.md page exists; no page or
//! stylesheet loads anything from the network (`src`, `srcset`, `href` of anything but an
//! `<a>`, `poster`, `data`, CSS `url()` / `@import`; links to papers in `<a href>` are fine);
//! each SUMMARY page weighs at most the budget with everything local it loads (scripts,
//! stylesheets, images, and the fonts those stylesheets name) beyond the files every page
//! loads (mdBook's theme, fetched once and cached); every internal link and
//! reference resolves to a file in the site, and its `#fragment` to an `id` in that page.
//!
//! HTML is parsed with `scraper` (html5ever); the checks themselves are these few rules.

use super::Report;
use scraper::{Html, Node};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// What a page refers to, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The element, e.g. `script`.
    pub element: String,
    /// The attribute, e.g. `src`.
    pub attribute: String,
    /// The URL as written.
    pub url: String,
    /// Whether the browser fetches it to show the page (not a link the reader follows).
    pub loads: bool,
}

/// One parsed HTML file: its references, ids, and inline CSS.
#[derive(Debug, Default)]
pub struct Page {
    /// Every URL-valued attribute.
    pub references: Vec<Reference>,
    /// Every `id` (and `<a name>`).
    pub ids: BTreeSet<String>,
    /// Text of `<style>` elements and `style` attributes.
    pub css: Vec<String>,
}

/// Reads the references, ids and inline CSS of an HTML document.
pub fn parse(html: &str) -> Page {
    let document = Html::parse_document(html);
    let mut page = Page::default();
    for node in document.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name();
        if name == "style" {
            let text: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            page.css.push(text);
        }
        for (attribute, value) in element.attrs() {
            match attribute {
                "id" => {
                    page.ids.insert(value.to_owned());
                }
                "name" if name == "a" => {
                    page.ids.insert(value.to_owned());
                }
                "style" => page.css.push(value.to_owned()),
                "src" | "href" | "poster" | "data" => {
                    let loads = match (name, attribute) {
                        ("a", _) => false,
                        ("link", _) => element
                            .attr("rel")
                            .is_none_or(|rel| !rel.split_whitespace().any(|r| r == "canonical")),
                        // SVG `<use href="#id">` and the like: resolved, and loaded if external.
                        _ => true,
                    };
                    page.references.push(Reference {
                        element: name.to_owned(),
                        attribute: attribute.to_owned(),
                        url: value.trim().to_owned(),
                        loads,
                    });
                }
                "srcset" => {
                    for candidate in value.split(',') {
                        if let Some(url) = candidate.split_whitespace().next() {
                            page.references.push(Reference {
                                element: name.to_owned(),
                                attribute: attribute.to_owned(),
                                url: url.to_owned(),
                                loads: true,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    page
}

/// The URLs a stylesheet loads: `url(...)` and `@import "..."`.
pub fn css_urls(css: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let tail = &rest[at + 4..];
        let end = tail.find(')').unwrap_or(tail.len());
        urls.push(unquote(&tail[..end]));
        rest = &tail[end..];
    }
    let mut rest = css;
    while let Some(at) = rest.find("@import") {
        let tail = rest[at + 7..].trim_start();
        if let Some(quote) = tail.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &tail[1..];
            let end = body.find(quote).unwrap_or(body.len());
            urls.push(body[..end].to_owned());
        }
        rest = &rest[at + 7..];
    }
    urls
}

fn unquote(text: &str) -> String {
    text.trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim()
        .to_owned()
}

/// Where a URL points.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Off the site: `http(s)://` or `//`.
    Network,
    /// Another scheme that needs no fetch or no check (`mailto:`, `data:`, `javascript:`).
    Other,
    /// A file of the site (relative to the site's root) and an optional fragment.
    Local(PathBuf, Option<String>),
    /// A relative path that climbs out of the site.
    Outside,
}

/// Resolves `url`, found in the file `from` (relative to the site's root).
pub fn resolve(from: &Path, url: &str) -> Target {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with("//") {
        return Target::Network;
    }
    if let Some(colon) = url.find(':') {
        let scheme = &url[..colon];
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !url[..colon].contains('/')
        {
            return Target::Other;
        }
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Target::Local(from.to_path_buf(), fragment);
    }
    let decoded = decode(path);
    let joined = if let Some(absolute) = decoded.strip_prefix('/') {
        PathBuf::from(absolute)
    } else {
        from.parent().unwrap_or(Path::new("")).join(&decoded)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::Normal(p) => out.push(p),
            // The guard pops: a `..` that finds nothing to pop climbs out of the site.
            Component::ParentDir if !out.pop() => return Target::Outside,
            _ => {}
        }
    }
    if decoded.ends_with('/') || out.as_os_str().is_empty() {
        out.push("index.html");
    }
    Target::Local(out, fragment)
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Page weight budgets: one for every page, and others for some pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    /// Bytes a page may weigh unless `pages` names it.
    pub default: u64,
    /// Bytes for particular pages (relative `.html` paths).
    pub pages: BTreeMap<PathBuf, u64>,
}

impl Budget {
    /// The same budget for every page.
    pub fn all(bytes: u64) -> Self {
        Self {
            default: bytes,
            pages: BTreeMap::new(),
        }
    }

    /// The budget of `page`.
    pub fn of(&self, page: &Path) -> u64 {
        self.pages.get(page).copied().unwrap_or(self.default)
    }
}

/// Verifies the site in `site` whose SUMMARY.md pages are `pages` (relative `.html` paths).
pub fn verify(site: &Path, pages: &[PathBuf], budget: &Budget, report: &mut Report) {
    let files = match list(site) {
        Ok(files) => files,
        Err(e) => {
            report.failures.push(format!(
                "{}: cannot read the built site ({e}); build the book first",
                site.display()
            ));
            return;
        }
    };
    let show = |p: &Path| site.join(p).display().to_string();
    let mut parsed: HashMap<PathBuf, Page> = HashMap::new();
    for file in files.keys().filter(|f| is_html(f)) {
        match std::fs::read_to_string(site.join(file)) {
            Ok(text) => {
                parsed.insert(file.clone(), parse(&text));
            }
            Err(e) => report
                .failures
                .push(format!("{}: cannot read it ({e})", show(file))),
        }
    }
    for page in pages {
        if !files.contains_key(page) {
            report.failures.push(format!(
                "{}: missing, though SUMMARY.md lists {}",
                show(page),
                page.with_extension("md").display()
            ));
        }
    }
    // Stylesheets: what they load, checked once each.
    let mut css_loads: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in files
        .keys()
        .filter(|f| f.extension().is_some_and(|e| e == "css"))
    {
        let text = std::fs::read_to_string(site.join(file)).unwrap_or_default();
        let mut loads = Vec::new();
        for url in css_urls(&text) {
            check_load(file, &url, "url()", &files, &mut loads, report, &show);
        }
        css_loads.insert(file.clone(), loads);
    }
    let mut links = 0usize;
    let mut paths: Vec<&PathBuf> = parsed.keys().collect();
    paths.sort();
    let mut heaviest: Option<(PathBuf, u64)> = None;
    let mut budgeted: Vec<(PathBuf, BTreeSet<PathBuf>)> = Vec::new();
    for path in paths {
        let page = &parsed[path];
        let mut loads: Vec<PathBuf> = Vec::new();
        for css in &page.css {
            for url in css_urls(css) {
                check_load(path, &url, "inline CSS", &files, &mut loads, report, &show);
            }
        }
        for reference in &page.references {
            let what = format!("<{} {}>", reference.element, reference.attribute);
            if reference.loads {
                check_load(
                    path,
                    &reference.url,
                    &what,
                    &files,
                    &mut loads,
                    report,
                    &show,
                );
                continue;
            }
            match resolve(path, &reference.url) {
                Target::Network | Target::Other => {}
                Target::Outside => report.failures.push(format!(
                    "{}: {what} {:?} points outside the site",
                    show(path),
                    reference.url
                )),
                Target::Local(target, fragment) => {
                    links += 1;
                    if let Some(problem) = broken(&target, fragment.as_deref(), &files, &parsed) {
                        report.failures.push(format!(
                            "{}: link {:?} is broken: {problem}",
                            show(path),
                            reference.url
                        ));
                    }
                }
            }
        }
        let is_budgeted = pages.contains(path) || path == Path::new("index.html");
        if is_budgeted {
            let mut all: BTreeSet<PathBuf> = loads.iter().cloned().collect();
            for sheet in &loads {
                all.extend(css_loads.get(sheet).into_iter().flatten().cloned());
            }
            budgeted.push((path.clone(), all));
        }
    }
    // What every page loads (mdBook's theme, fonts, scripts) is fetched once and cached: a
    // page's weight is its own bytes and what it alone (or only some pages) load.
    let shared: BTreeSet<PathBuf> = match budgeted.len() {
        0 | 1 => BTreeSet::new(),
        _ => budgeted
            .iter()
            .map(|(_, all)| all.clone())
            .reduce(|a, b| a.intersection(&b).cloned().collect())
            .unwrap_or_default(),
    };
    let shared_weight: u64 = shared.iter().filter_map(|f| files.get(f)).sum();
    for (path, all) in &budgeted {
        let own: Vec<&PathBuf> = all.difference(&shared).collect();
        let weight = files[path] + own.iter().filter_map(|f| files.get(*f)).sum::<u64>();
        let budget = budget.of(path);
        if weight > budget {
            report.failures.push(format!(
                "{}: weighs {} with what it loads beyond the book's shared files ({} files), \
                 over the budget of {}; make its figures smaller or split the chapter",
                show(path),
                kb(weight),
                own.len(),
                kb(budget)
            ));
        }
        if heaviest.as_ref().is_none_or(|(_, w)| weight > *w) {
            heaviest = Some((path.clone(), weight));
        }
    }
    report.lines.push(format!(
        "{}: {} pages in SUMMARY.md, {} HTML files, {links} internal links checked; heaviest \
         page {} (budget {} a page{}, with what it loads beyond the {} of files every page \
         shares)",
        site.display(),
        pages.len(),
        parsed.len(),
        heaviest.map_or_else(
            || "none".to_owned(),
            |(p, w)| format!("{} at {}", p.display(), kb(w))
        ),
        kb(budget.default),
        budget
            .pages
            .iter()
            .map(|(page, bytes)| format!("; {} for {}", kb(*bytes), page.display()))
            .collect::<String>(),
        kb(shared_weight)
    ));
}

/// Checks a URL the browser fetches: not the network, and an existing file, added to
/// `loads`. A local fragment (`<use href="#id">`) is not a file load and is not counted.
fn check_load(
    from: &Path,
    url: &str,
    what: &str,
    files: &BTreeMap<PathBuf, u64>,
    loads: &mut Vec<PathBuf>,
    report: &mut Report,
    show: &dyn Fn(&Path) -> String,
) {
    match resolve(from, url) {
        Target::Network => report.failures.push(format!(
            "{}: {what} loads {url:?} from the network; the book must work offline: copy the \
             file into the book and refer to it by a relative path",
            show(from)
        )),
        Target::Other => {}
        Target::Outside => report.failures.push(format!(
            "{}: {what} {url:?} points outside the site",
            show(from)
        )),
        Target::Local(target, _) if target == from => {}
        Target::Local(target, _) => {
            if files.contains_key(&target) {
                loads.push(target);
            } else {
                report.failures.push(format!(
                    "{}: {what} {url:?} is missing ({} does not exist)",
                    show(from),
                    show(&target)
                ));
            }
        }
    }
}

/// Why a link to `target#fragment` does not resolve, if it does not.
fn broken(
    target: &Path,
    fragment: Option<&str>,
    files: &BTreeMap<PathBuf, u64>,
    parsed: &HashMap<PathBuf, Page>,
) -> Option<String> {
    let target = if files.contains_key(target) {
        target.to_path_buf()
    } else if files.contains_key(&target.join("index.html")) {
        target.join("index.html")
    } else {
        return Some(format!("{} does not exist", target.display()));
    };
    let fragment = fragment.filter(|f| !f.is_empty())?;
    let page = parsed.get(&target)?;
    (!page.ids.contains(fragment))
        .then(|| format!("{} has no element with id {fragment:?}", target.display()))
}

fn is_html(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "html")
}

/// Every file under `site` (relative path -> size).
fn list(site: &Path) -> std::io::Result<BTreeMap<PathBuf, u64>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(site)
                .map_err(std::io::Error::other)?
                .to_path_buf();
            files.insert(rel, entry.metadata().map_err(std::io::Error::other)?.len());
        }
    }
    Ok(files)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_links_are_told_apart() {
        let page = parse(
            r##"<html><head><link rel="stylesheet" href="a.css"><script src="https://cdn.example/x.js"></script>
            <style>body { background: url("img/bg.png") }</style></head>
            <body><h1 id="top">T</h1><a href="https://arxiv.org/abs/1412.6980">paper</a>
            <a href="other.html#part">o</a><img srcset="a.png 1x, b.png 2x">
            <svg><use href="#top"/></svg></body></html>"##,
        );
        let loads: Vec<&str> = page
            .references
            .iter()
            .filter(|r| r.loads)
            .map(|r| r.url.as_str())
            .collect();
        assert_eq!(
            loads,
            [
                "a.css",
                "https://cdn.example/x.js",
                "a.png",
                "b.png",
                "#top"
            ]
        );
        let links: Vec<&str> = page
            .references
            .iter()
            .filter(|r| !r.loads)
            .map(|r| r.url.as_str())
            .collect();
        assert_eq!(
            links,
            ["https://arxiv.org/abs/1412.6980", "other.html#part"]
        );
        assert!(page.ids.contains("top"));
        assert_eq!(css_urls(&page.css[0]), ["img/bg.png"]);
    }

    #[test]
    fn urls_resolve_against_their_page() {
        let from = Path::new("part/ch.html");
        assert_eq!(
            resolve(from, "../intro.html#a%20b"),
            Target::Local("intro.html".into(), Some("a b".into()))
        );
        assert_eq!(
            resolve(from, "#x"),
            Target::Local(from.into(), Some("x".into()))
        );
        assert_eq!(
            resolve(from, "./"),
            Target::Local("part/index.html".into(), None)
        );
        assert_eq!(resolve(from, "../../up.html"), Target::Outside);
        assert_eq!(resolve(from, "//cdn.example/x.js"), Target::Network);
        assert_eq!(resolve(from, "HTTPS://x"), Target::Network);
        assert_eq!(resolve(from, "mailto:a@b"), Target::Other);
        assert_eq!(
            resolve(from, "fonts/a.woff2?v=1"),
            Target::Local("part/fonts/a.woff2".into(), None)
        );
    }

    #[test]
    fn css_imports_and_urls_are_found() {
        assert_eq!(
            css_urls("@import 'x.css'; a { src: url(f.woff2) format('woff2') }"),
            ["f.woff2", "x.css"]
        );
    }

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn run(dir: &Path, pages: &[&str], budget: u64) -> Report {
        let pages: Vec<PathBuf> = pages.iter().map(PathBuf::from).collect();
        let mut report = Report::default();
        verify(dir, &pages, &Budget::all(budget), &mut report);
        report
    }

    #[test]
    fn a_good_site_passes() {
        let dir = site(&[
            (
                "index.html",
                r#"<link rel="stylesheet" href="s.css"><a href="b.html#two">b</a>"#,
            ),
            (
                "b.html",
                r#"<h2 id="two">2</h2><a href="index.html">home</a>"#,
            ),
            ("s.css", "@font-face { src: url(f.woff2) }"),
            ("f.woff2", "0123456789"),
        ]);
        let report = run(dir.path(), &["index.html", "b.html"], 1000);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        assert!(
            report.lines[0].contains("2 internal links"),
            "{:?}",
            report.lines
        );
    }

    #[test]
    fn files_every_page_loads_count_once_not_per_page() {
        let theme = "x".repeat(1500);
        let dir = site(&[
            ("index.html", r#"<script src="theme.js"></script>"#),
            (
                "b.html",
                r#"<script src="theme.js"></script><img src="own.png">"#,
            ),
            ("theme.js", &theme),
            ("own.png", &"x".repeat(1200)),
        ]);
        let report = run(dir.path(), &["index.html", "b.html"], 1000);
        let all = report.failures.join("\n");
        assert_eq!(report.failures.len(), 1, "{all}");
        assert!(all.contains("b.html: weighs"), "{all}");
    }

    #[test]
    fn every_fault_is_reported() {
        let dir = site(&[
            (
                "index.html",
                r#"<script src="https://cdn.example/x.js"></script>
                <a href="b.html#nope">b</a><a href="gone.html">g</a><img src="big.png">"#,
            ),
            ("b.html", r#"<h2 id="two">2</h2>"#),
            ("s.css", "@import url(https://fonts.example/f.css);"),
            ("big.png", &"x".repeat(2000)),
        ]);
        let report = run(dir.path(), &["index.html", "missing.html"], 1000);
        let all = report.failures.join("\n");
        assert!(all.contains("missing.html: missing"), "{all}");
        assert!(
            all.contains("<script src> loads \"https://cdn.example/x.js\""),
            "{all}"
        );
        assert!(all.contains("s.css: url() loads"), "{all}");
        assert!(all.contains("no element with id \"nope\""), "{all}");
        assert!(all.contains("gone.html does not exist"), "{all}");
        assert!(all.contains("over the budget of 1.0 KB"), "{all}");
        assert_eq!(report.failures.len(), 6, "{all}");
    }
}
