//! A Dockerfile of the project's own, and the entrypoint it names: what devgen's
//! `[container]` would write instead, reported so that the user can choose. devgen's own
//! (its header says so) gives `[container]` back, with its builder image.

use crate::commands::import::findings::{Findings, Origin};
use crate::render::OWNED_HEADER;
use crate::spec::edit::Setting;

pub fn dockerfile(text: &str, found: &mut Findings) {
    if text.lines().next() == Some(&format!("# {OWNED_HEADER}")) {
        return devgens_own(text, found);
    }
    let mut stages = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first().map(|w| w.to_ascii_uppercase()).as_deref() {
            Some("FROM") => stages.push(format!("{}:{}", i + 1, words[1..].join(" "))),
            Some("ENTRYPOINT") | Some("CMD") => found.keep(
                Origin::new("Dockerfile", i + 1),
                line.trim(),
                "the image's start stays yours; devgen's [container] starts PostgreSQL inside, migrates, then the app",
            ),
            _ => {}
        }
    }
    let why =
        "a Dockerfile of yours: devgen.toml's [container] writes its own (PostgreSQL inside, \
               the dev shell's versions); move this one aside first to have devgen write it";
    found.keep(
        Origin::new("Dockerfile", 1),
        format!("Dockerfile with stages {}", stages.join(", ")),
        why,
    );
}

/// devgen's own Dockerfile: `[container]` was on, with the builder image in its ARG.
fn devgens_own(text: &str, found: &mut Findings) {
    let builder = text.lines().enumerate().find_map(|(i, l)| {
        let image = l.strip_prefix("ARG BUILDER_IMAGE=")?.trim_matches('"');
        Some((i + 1, image.to_string()))
    });
    let derived = text.contains("hexpm/elixir publishes full tags only");
    match builder {
        Some((line, image)) if !derived => found.take(
            Setting::new("container", "builder_image", Some(image.clone().into())),
            Origin::new("Dockerfile", line),
            format!("ARG BUILDER_IMAGE={image}"),
        ),
        _ => found.take(
            Setting::new(
                "container",
                "postgres",
                Some(text.contains("postgresql-").into()),
            ),
            Origin::new("Dockerfile", 1),
            "devgen's header",
        ),
    }
}
