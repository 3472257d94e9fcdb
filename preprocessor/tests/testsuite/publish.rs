//! The publish workflows cannot run here; what can be tested is: the GitHub workflow and the
//! README's GitLab job are valid YAML of the expected shape, the commands they run are exactly
//! the README's (its set-up/build/test block and its "Publish" block), and the chapter cache
//! is what the workflow persists.

use crate::support::repo;
use yaml_rust2::{Yaml, YamlLoader};

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("read README.md")
}

/// The commands of the README's `sh` blocks, comments stripped.
fn readme_commands() -> Vec<String> {
    let text = readme();
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if in_sh {
            let command = line.split(" #").next().unwrap_or("").trim();
            if !command.is_empty() {
                commands.push(command.to_owned());
            }
        }
    }
    commands
}

/// The README's `yaml` block (the GitLab job).
fn readme_yaml() -> String {
    let text = readme();
    let start = text.find("```yaml\n").expect("README has a yaml block") + "```yaml\n".len();
    let end = start + text[start..].find("```").expect("the yaml block ends");
    text[start..end].to_owned()
}

fn load(text: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(text).expect("valid YAML");
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

/// Every command of the workflow's `run:` steps, one per line.
fn workflow_commands(workflow: &Yaml) -> Vec<String> {
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    let mut commands = Vec::new();
    for job in jobs.values() {
        for step in job["steps"].as_vec().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                commands.extend(run.lines().map(str::trim).map(str::to_owned));
            }
        }
    }
    commands
}

#[test]
fn the_github_workflow_runs_exactly_the_readmes_commands() {
    let text = std::fs::read_to_string(repo().join(".github/workflows/book.yml"))
        .expect("read .github/workflows/book.yml");
    let workflow = load(&text);
    let commands = workflow_commands(&workflow);
    let readme = readme_commands();
    let book_command = "cargo run --release -p mdbook-descent -- build";
    assert!(readme.iter().any(|c| c == book_command), "{readme:?}");
    assert_eq!(
        commands,
        [
            book_command,
            "cargo run --release -p mdbook-descent -- verify"
        ]
    );
    for command in &commands {
        assert!(
            readme.contains(command),
            "{command:?} is not a README command"
        );
    }
    // It deploys what the book command builds, to GitHub Pages.
    let steps: Vec<&Yaml> = workflow["jobs"]
        .as_hash()
        .expect("jobs")
        .values()
        .flat_map(|j| j["steps"].as_vec().expect("steps"))
        .collect();
    let uses = |name: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(name)))
    };
    let upload = uses("actions/upload-pages-artifact").expect("an upload step");
    assert_eq!(upload["with"]["path"].as_str(), Some("target/book"));
    assert!(uses("actions/deploy-pages").is_some());
}

#[test]
fn the_workflow_persists_the_chapter_cache_under_a_fresh_key() {
    let text = std::fs::read_to_string(repo().join(".github/workflows/book.yml"))
        .expect("read the workflow");
    let workflow = load(&text);
    let steps = workflow["jobs"]["build"]["steps"].as_vec().expect("steps");
    let cache = steps
        .iter()
        .find(|s| s["with"]["path"].as_str() == Some("target/descent/cache"))
        .expect("a cache step for target/descent/cache");
    assert!(
        cache["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/cache@"))
    );
    // A new key per commit (a cache entry is never overwritten in Actions), restoring any
    // older one: the entries inside are content-addressed.
    assert!(
        cache["with"]["key"]
            .as_str()
            .is_some_and(|k| k.contains("github.sha")),
        "{cache:?}"
    );
    assert!(cache["with"]["restore-keys"].as_str().is_some());
}

#[test]
fn the_gitlab_job_in_the_readme_runs_the_same_commands() {
    let job = load(&readme_yaml());
    let pages = &job["pages"];
    let script: Vec<&str> = pages["script"]
        .as_vec()
        .expect("script")
        .iter()
        .map(|s| s.as_str().expect("a command"))
        .collect();
    let readme = readme_commands();
    let cargo: Vec<&str> = script
        .iter()
        .copied()
        .filter(|c| c.starts_with("cargo "))
        .collect();
    assert_eq!(
        cargo,
        [
            "cargo run --release -p mdbook-descent -- build",
            "cargo run --release -p mdbook-descent -- verify"
        ]
    );
    assert!(cargo.iter().all(|c| readme.iter().any(|r| r == c)));
    assert_eq!(
        pages["cache"]["paths"][0].as_str(),
        Some("target/descent/cache")
    );
    assert_eq!(pages["artifacts"]["paths"][0].as_str(), Some("public"));
    assert!(script.contains(&"mv target/book public"));
}
