//! `devgen worktree`: a git worktree of a registered project gets an address of its own in
//! the project's block (127.0.0.N1 … N9) and a host name under the project's
//! (`<worktree>.<host>`), so that it runs beside the main checkout on the same ports (seed
//! 002 gives worktrees their own ports; here they get their own address instead).
//!
//! This module owns finding the worktree's project, registering the worktree, and the block
//! of the untracked `.envrc.local` that exports the overrides (DEVGEN_IP, DEVGEN_HOST). The
//! committed files read those with the spec's values as defaults, so they stay the same in
//! every checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::commands::{exit, find_root, Io};
use crate::error::{Error, Result};
use crate::registry::{self, Entry, Locked};
use crate::spec::{self, SPEC_FILE};

/// The untracked file `.envrc` sources last.
pub const ENVRC_LOCAL: &str = ".envrc.local";
const BEGIN: &str = "# >>> devgen worktree >>>";
const END: &str = "# <<< devgen worktree <<<";

/// `devgen worktree`: register the worktree around `dir` and write its `.envrc.local`.
pub fn worktree(dir: &Path, io: &mut Io) -> Result<i32> {
    let root = find_root(dir)?;
    let main = main_checkout(root.path())?;
    if main == root.path() {
        return Err(Error::Usage(format!(
            "{} is the project's main checkout, which keeps the address in {SPEC_FILE}\n  \
             = help: run `devgen worktree` in a worktree made with `git worktree add ../NAME`",
            root.path().display()
        )));
    }
    let text = root
        .read(SPEC_FILE)?
        .ok_or_else(|| Error::Usage(format!("{SPEC_FILE} disappeared")))?;
    let src = spec::parse(SPEC_FILE, &text)?;

    let mut locked = Locked::acquire(&registry::default_path()?)?;
    let reg = locked.registry();
    let project = reg.project(&main).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "the project this worktree belongs to, {}, is not in the machine registry {}\n  \
             = help: run `devgen init` there first; it registers the project and its block of addresses",
            main.display(),
            reg.path().display()
        ))
    })?;
    let ip = match reg.get(root.path()) {
        Some(e) if e.worktree_of.as_deref() == Some(main.as_path()) => e.ip,
        _ => reg.next_free_worktree_ip(&main).ok_or_else(|| {
            Error::Usage(format!(
                "the block of {} ({}) has no free address left for a worktree\n  \
                 = help: `devgen registry gc` drops worktrees whose directory is gone; \
                 `devgen registry release PATH` frees one you no longer use",
                project.name, project.ip
            ))
        })?,
    };
    let (model, _) = registry::resolve_model(root.path(), &src)?;
    let mut label = label_of(root.path(), ip);
    // `shop-fix-login` of shop is `fix-login`: the host says `shop` already.
    if let Some(rest) = label.strip_prefix(&format!("{}-", project.name)) {
        if !rest.is_empty() {
            label = rest.to_string();
        }
    }
    let mut entry = Entry::from_model(root.path(), &model)?;
    entry.ip = ip;
    entry.host = format!("{label}.{}", project.host);
    entry.name = worktree_name(&project.name, &label);
    entry.worktree_of = Some(main.clone());
    if !spec::is_host_name(&entry.host) {
        entry.host = format!("wt{}.{}", ip.octets()[3], project.host);
    }
    if let Some(clash) = reg.clash(&entry) {
        return Err(Error::Usage(format!(
            "{}\n  = help: free it (`devgen registry release PATH`), or change the ports in {SPEC_FILE}",
            clash.message()
        )));
    }
    let known = reg.get(root.path()) == Some(&entry);
    locked.registry_mut().upsert(entry.clone())?;
    locked.save()?;

    let vars = &model.overrides;
    let block = format!(
        "{BEGIN} this checkout's own address; `devgen worktree` writes it\n\
         export {}={}\n\
         export {}={}\n\
         {END}\n",
        vars.ip, entry.ip, vars.host, entry.host
    );
    let current = root.read(ENVRC_LOCAL)?;
    let desired = with_block(current.as_deref().unwrap_or(""), &block)?;
    let wrote = current.as_deref() != Some(desired.as_str());
    if wrote {
        root.write(ENVRC_LOCAL, &desired, false)?;
    }

    let e = |e| Error::io("cannot write to", Path::new("the output"), e);
    writeln!(
        io.err,
        "worktree `{}` of {} ({}): {} {}",
        entry.name,
        project.name,
        main.display(),
        entry.ip,
        entry.host
    )
    .map_err(e)?;
    writeln!(
        io.err,
        "  {} the machine registry {}",
        if known { "already in" } else { "registered in" },
        locked.registry().path().display()
    )
    .map_err(e)?;
    if wrote {
        writeln!(
            io.err,
            "  wrote {ENVRC_LOCAL} ({}, {}): `direnv allow` loads it",
            vars.ip, vars.host
        )
        .map_err(e)?;
    } else {
        writeln!(io.err, "  {ENVRC_LOCAL} already says so").map_err(e)?;
    }
    writeln!(
        io.err,
        "  the host's alias and dnsmasq entries for it: `sudo devgen net --apply`"
    )
    .map_err(e)?;
    Ok(exit::IN_SYNC)
}

/// The main checkout of the repository `root` is in: the first entry of `git worktree list`.
fn main_checkout(root: &Path) -> Result<PathBuf> {
    let not_a_worktree = |why: String| {
        Error::Usage(format!(
            "{why}\n  = help: `devgen worktree` is for a git worktree of a registered project: \
             `git worktree add ../NAME` in the project, then `devgen worktree` in ../NAME"
        ))
    };
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["worktree", "list", "--porcelain"])
        .output()
        .map_err(|e| not_a_worktree(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(not_a_worktree(format!(
            "{} is not in a git repository",
            root.display()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text
        .lines()
        .find_map(|l| l.strip_prefix("worktree "))
        .ok_or_else(|| not_a_worktree("git lists no worktree".to_string()))?;
    if text.lines().nth(1) == Some("bare") {
        return Err(not_a_worktree(format!(
            "{first} is a bare repository, so there is no main checkout to belong to"
        )));
    }
    std::fs::canonicalize(first).map_err(|e| Error::io("cannot open", Path::new(first), e))
}

/// A DNS label from the worktree's directory name: lowercase letters, digits and '-', at
/// most 63 characters.
fn label_of(root: &Path, ip: std::net::Ipv4Addr) -> String {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut label = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
            label.push(c);
        }
    }
    label.truncate(63);
    let label = label.trim_end_matches('-').to_string();
    if label.is_empty() {
        format!("wt{}", ip.octets()[3])
    } else {
        label
    }
}

/// `<project>-<label>`, cut to a valid project name.
fn worktree_name(project: &str, label: &str) -> String {
    let mut name = format!("{project}-{label}");
    name.truncate(64);
    name.trim_end_matches('-').to_string()
}

/// `text` with devgen's block replaced by `block`, or appended when there is none. Broken
/// markers are an error naming the line, never a guess.
fn with_block(text: &str, block: &str) -> Result<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let find = |marker: &str| -> Vec<usize> {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_end().starts_with(marker))
            .map(|(i, _)| i)
            .collect()
    };
    let (begins, ends) = (find(BEGIN), find(END));
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(block);
            Ok(out)
        }
        ([b], [e]) if b < e => {
            let mut out: String = lines[..*b].concat();
            out.push_str(block);
            out.push_str(&lines[e + 1..].concat());
            Ok(out)
        }
        _ => {
            let at = begins.first().or(ends.first()).copied().unwrap_or(0) + 1;
            Err(Error::Usage(format!(
                "{ENVRC_LOCAL}:{at}: devgen's block is broken: it needs one `{BEGIN}` line and, after it, one `{END}` line\n  \
                 = help: fix or delete the marker lines by hand, then run `devgen worktree` again"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_added_replaced_and_never_guessed() {
        let block = format!("{BEGIN} x\nexport A=1\n{END}\n");
        assert_eq!(with_block("", &block).unwrap(), block);
        let mine = "export MINE=1";
        let added = with_block(mine, &block).unwrap();
        assert_eq!(added, format!("export MINE=1\n\n{block}"));
        let new = format!("{BEGIN} x\nexport A=2\n{END}\n");
        let replaced = with_block(&format!("{added}export AFTER=1\n"), &new).unwrap();
        assert_eq!(replaced, format!("export MINE=1\n\n{new}export AFTER=1\n"));
        let err = with_block(&format!("{END}\n{BEGIN}\n"), &block)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(".envrc.local:2: devgen's block is broken"),
            "{err}"
        );
        assert!(with_block(&format!("{BEGIN}\n"), &block).is_err());
    }

    #[test]
    fn labels_are_dns_labels() {
        let ip = std::net::Ipv4Addr::new(127, 0, 0, 13);
        assert_eq!(
            label_of(Path::new("/w/Shop Fix_Login"), ip),
            "shop-fix-login"
        );
        assert_eq!(label_of(Path::new("/w/___"), ip), "wt13");
        assert_eq!(
            label_of(Path::new(&format!("/w/{}", "a".repeat(80))), ip).len(),
            63
        );
        assert_eq!(worktree_name("shop", "fix-login"), "shop-fix-login");
    }
}
