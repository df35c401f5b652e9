//! The whole setup as one text, for `devgen net`. It is itself a valid dnsmasq
//! configuration: the dnsmasq lines as they are, everything else (other files, commands) in
//! comments, so that `devgen net > devgen.conf` can be handed to dnsmasq as it is.

use super::files::{label, one_line};
use super::{Platform, Setup};

/// Numbered sections of the overview.
struct Sections {
    text: String,
    n: usize,
}

impl Sections {
    fn add(&mut self, title: String, body: String) {
        self.n += 1;
        self.text
            .push_str(&format!("\n# {}. {title}\n{body}", self.n));
    }
}

/// Every port the checkout listens on at its address, named: what a firewall rule or a
/// second look at a clash needs.
fn ports(e: &crate::machine::registry::Entry) -> String {
    let ports: Vec<String> = e
        .endpoints()
        .iter()
        .map(|(name, addr)| format!("{name} {}", addr.port()))
        .collect();
    ports.join(", ")
}

impl Setup {
    /// The overview: which projects, then each step of the setup.
    pub fn overview(&self) -> String {
        let mut text = format!(
            "# Host network setup ({}) for the {} project{} in {}\n\
             # `sudo devgen net --apply` does all of it; `devgen net --write DIR` writes the files to read first.\n",
            self.platform.title(),
            self.entries.len(),
            if self.entries.len() == 1 { "" } else { "s" },
            one_line(&self.registry)
        );
        for e in &self.entries {
            text.push_str(&format!("#   {}\n#     ports: {}\n", label(e), ports(e)));
        }
        if self.platform == Platform::Linux {
            text.push_str(
                "# Linux routes all of 127.0.0.0/8 to lo: the project addresses need no alias.\n",
            );
        }
        let mut sections = Sections { text, n: 0 };
        match self.platform {
            Platform::Macos => self.macos_sections(&mut sections),
            Platform::Linux => self.linux_sections(&mut sections),
        }
        sections.text
    }

    fn macos_sections(&self, s: &mut Sections) {
        let p = &self.paths;
        let aliases: String = self
            .ips()
            .iter()
            .map(|ip| format!("sudo ifconfig lo0 alias {ip}\n"))
            .collect();
        s.add(
            "Loopback aliases, now (macOS answers only 127.0.0.1 on lo0 by default):".into(),
            commented(&aliases),
        );
        s.add(
            format!("... and at every boot: {}", p.launchd_plist.display()),
            commented(&self.launchd_plist()),
        );
        s.add(
            format!(
                "PF NAT, so a project address reaches itself: {}",
                p.pf_anchor.display()
            ),
            commented(&self.pf_anchor()),
        );
        s.add(
            format!(
                "{}: add the first line after its last nat-anchor line, the second after its last load anchor line,",
                p.pf_conf.display()
            ),
            commented(&format!(
                "{}\n{}\n",
                self.pf_conf_lines().join("\n"),
                "then load the rules and enable PF:\nsudo pfctl -f /etc/pf.conf\nsudo pfctl -e"
            )),
        );
        let mut dnsmasq = self.dnsmasq_conf();
        if let Some(main) = &p.dnsmasq_main {
            dnsmasq.push_str(&commented(&format!(
                "read from {} through the line:\n{}\nthen: sudo brew services restart dnsmasq\n",
                main.display(),
                self.dnsmasq_include()
            )));
        }
        s.add(
            format!(
                "dnsmasq (brew install dnsmasq): {}",
                p.dnsmasq_dropin.display()
            ),
            dnsmasq,
        );
        for tld in self.tlds() {
            s.add(
                format!(
                    "Send .{tld} lookups to dnsmasq: {}",
                    p.resolver_dir.join(&tld).display()
                ),
                commented(&self.resolver_file()),
            );
        }
    }

    fn linux_sections(&self, s: &mut Sections) {
        let p = &self.paths;
        s.add(
            format!("dnsmasq: {}", p.dnsmasq_dropin.display()),
            self.dnsmasq_conf() + &commented("then: sudo systemctl restart dnsmasq\n"),
        );
        s.add(
            format!(
                "systemd-resolved sends the dev domains to dnsmasq: {}",
                p.resolved_dropin.display()
            ),
            commented(&format!(
                "{}then: sudo systemctl restart systemd-resolved\n",
                self.resolved_dropin()
            )),
        );
        if let Some(port) = self.lowest_proxy_port().filter(|p| *p < 1024) {
            s.add(
                format!("Caddy, run as you, binds port {port}: let users bind it (not done by --apply)"),
                commented(&format!(
                    "sudo sysctl -w net.ipv4.ip_unprivileged_port_start={port}\n\
                     echo 'net.ipv4.ip_unprivileged_port_start = {port}' | sudo tee /etc/sysctl.d/60-devgen.conf\n"
                )),
            );
        }
    }

    /// The lowest `[proxy] port` of the registered checkouts.
    fn lowest_proxy_port(&self) -> Option<u16> {
        self.entries
            .iter()
            .filter_map(|e| e.ports.services.get("proxy").copied())
            .min()
    }
}

/// `text` as comment lines of a dnsmasq configuration, indented under a section title.
fn commented(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "#\n".to_string()
            } else {
                format!("#   {l}\n")
            }
        })
        .collect()
}
