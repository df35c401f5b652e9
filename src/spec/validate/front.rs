//! `[frontend]` and `[proxy]`: directories inside the project, one-line commands, paths
//! Caddy can match, header names and values, and Node.js where a package manager needs it.

use crate::diagnostic::line_col;
use serde_spanned::Spanned;

use super::{check, section_span, Checked};
use crate::spec::rules::{
    hmr_name, is_header_name, is_one_line_command, is_relative_dir, is_route_path, PHOENIX_PATHS,
};
use crate::spec::sections::{FrontendSpec, PackageManager};
use crate::spec::SpecSource;

/// `[frontend]`: a directory inside the project, one-line commands, HMR paths Caddy can
/// match, and Node.js for a package manager that needs it.
pub(super) fn frontend(src: &SpecSource) -> Checked {
    let Some(f) = &src.spec.frontend else {
        return Ok(());
    };
    let dir_help = "write a directory inside the project, relative to its root, like \"frontend\" or \"apps/web\"";
    for dir in [&f.dir, &f.output].into_iter().flatten() {
        check(src, dir, is_relative_dir, "invalid directory", dir_help)?;
    }
    for command in [&f.dev, &f.build].into_iter().flatten() {
        check(
            src,
            command,
            is_one_line_command,
            "invalid command",
            "write the command on one line, like \"bun run dev\"",
        )?;
    }
    let mut names: Vec<(String, &Spanned<String>)> = Vec::new();
    for path in f.hmr.keys() {
        check(src, path, is_route_path, "invalid HMR path", "write the path the websocket is served on, starting with '/', like \"/_build/_hmr/client\"")?;
        let name = hmr_name(path.get_ref());
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            let (line, col) = line_col(&src.text, first.span().start);
            return Err(Box::new(
                src.error(
                    path.span(),
                    format!(
                        "HMR paths {:?} and {:?} both end in {name:?}",
                        first.get_ref(),
                        path.get_ref()
                    ),
                )
                .with_label(
                    "its variable would be FRONTEND_HMR_".to_string()
                        + &name
                        + "_PORT, like the other's",
                )
                .with_help(format!(
                    "give the paths different last segments; the other is at {}:{line}:{col}",
                    src.file
                )),
            ));
        }
        names.push((name, path));
        let phoenix = PHOENIX_PATHS.contains(&path.get_ref().as_str());
        let routed = src
            .spec
            .proxy
            .iter()
            .any(|p| p.routes.keys().any(|r| r.get_ref() == path.get_ref()));
        if phoenix || routed {
            let whose = if phoenix {
                "one of Phoenix's paths"
            } else {
                "a route of [proxy]"
            };
            return Err(Box::new(
                src.error(
                    path.span(),
                    format!("HMR path {:?} is {whose}", path.get_ref()),
                )
                .with_label("Caddy would send it to one of the two only")
                .with_help(
                    "serve the HMR websocket on a path of its own, like \"/_build/_hmr/client\"",
                ),
            ));
        }
    }
    needs_node(src, f)
}

/// npm, pnpm and yarn run on Node.js, which only `[toolchain] node` puts in the dev shell.
fn needs_node(src: &SpecSource, f: &FrontendSpec) -> Checked {
    let pm = f.package_manager.as_ref();
    let bun = pm.is_some_and(|p| *p.get_ref() == PackageManager::Bun);
    if bun || src.spec.toolchain.node.is_some() {
        return Ok(());
    }
    let name = pm.map_or("npm", |p| p.get_ref().name());
    let span = pm
        .map(|p| p.span())
        .or_else(|| f.dir.as_ref().map(|d| d.span()));
    let span = span.unwrap_or_else(|| section_span(src, "frontend"));
    Err(Box::new(
        src.error(
            span,
            format!("the frontend's {name} needs Node.js, and [toolchain] has no node"),
        )
        .with_label(format!("{name} runs on Node.js"))
        .with_help(
            "add node = \"22\" under [toolchain], or package_manager = \"bun\" under [frontend]",
        ),
    ))
}

/// `[proxy]`: route paths Caddy can match, header names and one-line values.
pub(super) fn proxy(src: &SpecSource) -> Checked {
    let Some(p) = &src.spec.proxy else {
        return Ok(());
    };
    for path in p.routes.keys() {
        check(
            src,
            path,
            is_route_path,
            "invalid route path",
            "write a path matcher starting with '/', like \"/admin/*\"",
        )?;
    }
    for (name, value) in &p.headers {
        check(
            src,
            name,
            is_header_name,
            "invalid header name",
            "write an HTTP header name, like \"Strict-Transport-Security\"",
        )?;
        check(
            src,
            value,
            |v| !v.contains(['\n', '\r', '\0', '\\']),
            "invalid header value",
            "write the value on one line, without backslashes",
        )?;
    }
    Ok(())
}
