//! The processes of the machine as doctor needs them: their command lines, directories and
//! executables (from /proc, or ps and lsof on macOS), and who listens on a port.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(super) struct Proc {
    pub pid: u32,
    pub args: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub exe: Option<PathBuf>,
}

impl Proc {
    pub(super) fn describe(&self) -> String {
        let name = self
            .args
            .first()
            .map(|a| {
                Path::new(a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "?".to_string());
        match &self.cwd {
            Some(cwd) => format!("pid {} ({name}, in {})", self.pid, cwd.display()),
            None => format!("pid {} ({name})", self.pid),
        }
    }
}

/// Every process devgen may look at.
pub(super) fn processes() -> Vec<Proc> {
    if Path::new("/proc/self/cmdline").exists() {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(proc_info)
            .collect()
    } else {
        // macOS: ps for the command lines; lsof for a process's directory and executable.
        let Some(ps) = output("ps", &["-axo", "pid=,command="]) else {
            return Vec::new();
        };
        ps.lines()
            .filter_map(|l| {
                let (pid, cmd) = l.trim_start().split_once(' ')?;
                let pid = pid.parse().ok()?;
                let args: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
                let interesting = tmux_socket_arg(&args).is_some();
                Some(Proc {
                    pid,
                    cwd: interesting.then(|| lsof_path(pid, "cwd")).flatten(),
                    exe: interesting.then(|| lsof_path(pid, "txt")).flatten(),
                    args,
                })
            })
            .collect()
    }
}

fn proc_info(pid: u32) -> Option<Proc> {
    let base = PathBuf::from(format!("/proc/{pid}"));
    let cmdline = std::fs::read(base.join("cmdline")).ok()?;
    let args = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    Some(Proc {
        pid,
        args,
        cwd: std::fs::read_link(base.join("cwd")).ok(),
        exe: std::fs::read_link(base.join("exe")).ok(),
    })
}

fn lsof_path(pid: u32, fd: &str) -> Option<PathBuf> {
    let out = output("lsof", &["-a", "-p", &pid.to_string(), "-d", fd, "-Fn"])?;
    out.lines()
        .find_map(|l| l.strip_prefix('n'))
        .map(PathBuf::from)
}

/// The processes listening on `ip:port` (or on every address at `port`, which takes it too).
pub(super) fn listeners(ip: Ipv4Addr, port: u16) -> Vec<Proc> {
    if !Path::new("/proc/net/tcp").exists() {
        return listeners_by_lsof(ip, port);
    }
    let inodes = listening_sockets(ip, port);
    if inodes.is_empty() {
        return Vec::new();
    }
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
                fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                    .any(|l| inodes.iter().any(|i| Path::new(i) == l))
            })
        })
        .filter_map(proc_info)
        .collect()
}

/// Linux: the sockets (as `/proc/<pid>/fd` links name them) listening on `ip:port`, or on
/// every address at `port`.
fn listening_sockets(ip: Ipv4Addr, port: u16) -> Vec<String> {
    let mut inodes = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                continue; // not LISTEN
            }
            let Some((addr, p)) = f[1].split_once(':') else {
                continue;
            };
            if u16::from_str_radix(p, 16).ok() != Some(port) {
                continue;
            }
            let holds = if v6 {
                // `::` takes every IPv4 address too; so does its v4-mapped form of ours.
                addr.bytes().all(|b| b == b'0')
                    || addr == format!("0000000000000000FFFF0000{}", hex_v4(ip))
            } else {
                addr == hex_v4(ip) || addr == "00000000"
            };
            if holds {
                inodes.push(format!("socket:[{}]", f[9]));
            }
        }
    }
    inodes
}

/// macOS: the listeners lsof reports.
fn listeners_by_lsof(ip: Ipv4Addr, port: u16) -> Vec<Proc> {
    let Some(out) = output(
        "lsof",
        &["-nP", &format!("-iTCP:{port}"), "-sTCP:LISTEN", "-Fpn"],
    ) else {
        return Vec::new();
    };
    let mut pids = Vec::new();
    let mut pid = None;
    for line in out.lines() {
        if let Some(p) = line.strip_prefix('p') {
            pid = p.parse::<u32>().ok();
        } else if let Some(name) = line.strip_prefix('n') {
            if name == format!("{ip}:{port}") || name == format!("*:{port}") {
                pids.extend(pid);
            }
        }
    }
    pids.dedup();
    pids.into_iter()
        .map(|pid| Proc {
            pid,
            args: output("ps", &["-o", "command=", "-p", &pid.to_string()])
                .map(|c| c.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            cwd: lsof_path(pid, "cwd"),
            exe: None,
        })
        .collect()
}

/// An IPv4 address as /proc/net/tcp prints it: the in-memory word, in hex.
fn hex_v4(ip: Ipv4Addr) -> String {
    format!("{:08X}", u32::from_ne_bytes(ip.octets()))
}

/// The standard output of a command that ran, successful or not.
pub(super) fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The value of `-L NAME` (or `-LNAME`) in a tmux command line.
pub(super) fn tmux_socket_arg(args: &[String]) -> Option<&str> {
    let exe = args.first()?;
    if !Path::new(exe)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("tmux"))
    {
        return None;
    }
    args.iter().enumerate().skip(1).find_map(|(i, a)| {
        if a == "-L" {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix("-L").filter(|s| !s.is_empty())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_addresses() {
        // /proc prints the address word as it sits in memory.
        let want = if cfg!(target_endian = "little") {
            "0A00007F"
        } else {
            "7F00000A"
        };
        assert_eq!(hex_v4(Ipv4Addr::new(127, 0, 0, 10)), want);
    }

    #[test]
    fn tmux_socket_names_from_command_lines() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            tmux_socket_arg(&args("tmux -C -L overmind-shop-x new -n web")),
            Some("overmind-shop-x")
        );
        assert_eq!(
            tmux_socket_arg(&args("/nix/store/abc-tmux-3.4/bin/tmux -Lovermind-a-b")),
            Some("overmind-a-b")
        );
        assert_eq!(tmux_socket_arg(&args("grep -L overmind-shop")), None);
    }
}
