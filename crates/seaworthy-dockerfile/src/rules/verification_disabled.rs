use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{apk, pip_args, zypper};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags commands that turn off TLS certificate or package signature verification.
    ///
    /// Covered: `apt-get --allow-unauthenticated`/`--force-yes`/`--allow-insecure-repositories`,
    /// `-o Acquire::https::Verify-Peer=false` and APT sources written with `[trusted=yes]`;
    /// `apk --allow-untrusted` for repository packages; `yum`/`dnf --nogpgcheck`,
    /// `--setopt=sslverify=0` and repo files written with `gpgcheck=0`; `rpm --nosignature` /
    /// `--nodigest`; `zypper --no-gpg-checks`; `pip --trusted-host`; `npm`/`yarn config set
    /// strict-ssl false`; `curl -k`/`--insecure`; `wget --no-check-certificate`;
    /// `git -c http.sslVerify=false` and `git config http.sslVerify false`; `conda config --set
    /// ssl_verify false`; and `GIT_SSL_NO_VERIFY`, `NODE_TLS_REJECT_UNAUTHORIZED=0` or
    /// `PYTHONHTTPSVERIFY=0` set for a command. `apk add --allow-untrusted` of local `.apk` files
    /// and `[trusted=yes]` on a local (`file:`) APT repository are not flagged: packages built in
    /// the same build are unsigned by nature.
    ///
    /// ## Why
    /// Signatures and TLS are what stop a compromised mirror, a proxy or anyone on the network
    /// path from swapping the packages and files the build installs. With verification off, the
    /// build runs whatever arrives, as root, and bakes it into the image. Errors that tempt
    /// people to disable it (an expired key, a corporate TLS proxy) have proper fixes: import the
    /// current key, or add the proxy's CA certificate to the trust store.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN curl -kfsSL https://example.com/install.sh -o /tmp/install.sh
    /// # good: trust the proxy's CA instead of trusting everyone
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/
    /// RUN update-ca-certificates \
    ///  && curl -fsSL https://example.com/install.sh -o /tmp/install.sh
    /// ```
    VerificationDisabled {
        id: "SW-DF-029",
        name: "verification-disabled",
        title: "TLS or signature verification disabled",
        area: Dockerfile,
        group: "run",
        severity: High,
        remediation: "Remove the option that disables verification; fix the trust store or import the signing key instead.",
        refs: [Cis("4.11")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y --allow-unauthenticated curl\n",
            "FROM debian:12\nRUN curl -fsSLk https://example.com/tool.tgz | tar -xz\n",
            "FROM debian:12\nRUN echo 'deb [trusted=yes] http://repo.example.com/ stable main' \\\n      > /etc/apt/sources.list.d/example.list\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --allow-untrusted \\\n      --repository https://repo.example.com/alpine tool\n",
            "FROM fedora:40\nRUN sudo dnf install -y --nogpgcheck https://example.com/x.rpm\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir --trusted-host pypi.example.com flask==3.0.3\n",
            "FROM node:22\nRUN sh -c 'npm config set strict-ssl false && npm ci'\n",
            "FROM debian:12\nRUN git -c http.sslVerify=false clone https://git.example.com/a.git\n",
            "FROM debian:12\nRUN <<EOF\nset -e\nwget --no-check-certificate https://example.com/a.tgz\nEOF\n",
            "FROM debian:12\nRUN GIT_SSL_NO_VERIFY=1 git clone https://git.example.com/a.git\n",
            "FROM centos:7\nRUN rpm -ivh --nosignature /tmp/x.rpm\n",
        ],
        quiet: [
            "FROM debian:12\nRUN curl -fsSL https://example.com/tool.tgz -o /tmp/tool.tgz\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --allow-untrusted /tmp/packages/*.apk\n",
            "FROM alpine:3.20\nRUN apk index --allow-untrusted -o /tmp/APKINDEX.tar.gz /tmp/*.apk\n",
            "FROM debian:12\nRUN git config --global http.sslVerify true && wget -q https://example.com/a\n",
            "FROM node:22\nRUN npm config set strict-ssl true\n",
            "FROM debian:12\nRUN echo 'curl -k is insecure'\n",
            "FROM debian:12\nRUN echo \"deb [ trusted=yes ] file://$tempDir ./\" > /etc/apt/sources.list.d/temp.list\n",
        ],
    }
}

fn is_false(v: &str) -> bool {
    matches!(
        v.trim_matches(['"', '\'', ';', ' '])
            .to_ascii_lowercase()
            .as_str(),
        "false" | "0" | "no" | "off"
    )
}

fn is_true(v: &str) -> bool {
    matches!(
        v.trim_matches(['"', '\'', ';', ' '])
            .to_ascii_lowercase()
            .as_str(),
        "true" | "1" | "yes" | "on"
    )
}

/// `key=value` (key case-insensitive, matched by its end) where `bad` accepts the value.
fn setting<'a>(arg: &'a str, keys: &[&str], bad: fn(&str) -> bool) -> Option<&'a str> {
    let (k, v) = arg.split_once('=')?;
    let k = k.trim().to_ascii_lowercase();
    (keys.iter().any(|key| k.ends_with(key)) && bad(v)).then_some(arg)
}

/// `set KEY VALUE` or `KEY=VALUE` among `args` (as in `npm config set strict-ssl false`).
fn config_pair(args: &[String], key: &str, bad: fn(&str) -> bool) -> bool {
    args.iter().enumerate().any(|(i, a)| {
        let a_low = a.to_ascii_lowercase();
        let a_low = a_low.trim_start_matches('-');
        if a_low == key {
            return args.get(i + 1).is_some_and(|v| bad(v));
        }
        a_low
            .strip_prefix(key)
            .and_then(|r| r.strip_prefix('='))
            .is_some_and(bad)
    })
}

fn apt_problem(cmd: &ShellCommand) -> Option<String> {
    for flag in [
        "--allow-unauthenticated",
        "--force-yes",
        "--allow-insecure-repositories",
        "--allow-downgrade-to-insecure-repositories",
    ] {
        if cmd.has_flag(&[flag]) {
            return Some(format!(
                "`{} {flag}` installs packages whose signatures are not verified",
                cmd.name
            ));
        }
    }
    for arg in &cmd.args {
        if let Some(s) = setting(arg, &["verify-peer", "verify-host"], is_false) {
            return Some(format!("`{s}` turns off TLS certificate checks for APT"));
        }
        if let Some(s) = setting(
            arg,
            &[
                "allowunauthenticated",
                "allowinsecurerepositories",
                "allowdowngradetoinsecurerepositories",
            ],
            is_true,
        ) {
            return Some(format!("`{s}` lets APT install unsigned packages"));
        }
    }
    None
}

/// Configuration text written by `echo`/`printf` that disables verification.
fn written_config(cmd: &ShellCommand) -> Option<String> {
    if !cmd.is_any(&["echo", "printf"]) {
        return None;
    }
    let text = cmd.args.join(" ").to_ascii_lowercase();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // A local repository (`file:`, `copy:`) holds packages built in this very build.
    let local = text.contains("file:/") || text.contains("copy:/");
    if compact.contains("trusted=yes") && text.contains("deb") && !local {
        return Some("an APT source marked `[trusted=yes]` skips signature checks".into());
    }
    for key in ["gpgcheck=0", "gpgcheck=false", "gpgcheck=no"] {
        if compact.contains(key) && !compact.contains(&format!("repo_{key}")) {
            return Some(format!(
                "a repository written with `{key}` skips signature checks"
            ));
        }
    }
    for key in ["sslverify=0", "sslverify=false", "sslverify=no"] {
        if compact.contains(key) {
            return Some(format!(
                "a repository written with `{key}` skips TLS certificate checks"
            ));
        }
    }
    if compact.contains("verify-peer\"false\"") || compact.contains("verify-peer\"0\"") {
        return Some(
            "APT configured with `Verify-Peer \"false\"` skips TLS certificate checks".into(),
        );
    }
    if compact.contains("allowunauthenticated\"true\"")
        || compact.contains("allowunauthenticated\"1\"")
    {
        return Some(
            "APT configured with `AllowUnauthenticated` installs unsigned packages".into(),
        );
    }
    None
}

/// Variables set for the command that disable verification in the tools it runs.
fn insecure_env(cmd: &ShellCommand) -> Option<String> {
    let mut vars: Vec<(&str, &str)> = cmd
        .assignments
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if cmd.is("export") {
        vars.extend(cmd.args.iter().filter_map(|a| a.split_once('=')));
    }
    vars.into_iter().find_map(|(k, v)| {
        let bad = match k {
            "GIT_SSL_NO_VERIFY" => !v.is_empty() && !is_false(v),
            "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => v.trim() == "0",
            _ => false,
        };
        bad.then(|| format!("`{k}={v}` turns off TLS certificate checks"))
    })
}

fn problem(cmd: &ShellCommand) -> Option<String> {
    if let Some(p) = insecure_env(cmd) {
        return Some(p);
    }
    match cmd.name.as_str() {
        "apt-get" | "apt" => apt_problem(cmd),
        "apk" => {
            let call = apk(cmd)?;
            let installs = matches!(call.sub, "add" | "upgrade" | "fix");
            let local = !call.operands.is_empty()
                && call
                    .operands
                    .iter()
                    .all(|p| p.ends_with(".apk") && !p.contains("://"));
            (installs && !local && cmd.has_flag(&["--allow-untrusted"])).then(|| {
                "`apk --allow-untrusted` installs repository packages without checking signatures"
                    .into()
            })
        }
        "yum" | "dnf" | "microdnf" | "tdnf" => {
            if cmd.has_flag(&["--nogpgcheck"]) {
                return Some(format!(
                    "`{} --nogpgcheck` installs packages without checking signatures",
                    cmd.name
                ));
            }
            cmd.args.iter().find_map(|a| {
                let a = a.strip_prefix("--setopt=").unwrap_or(a);
                if let Some(s) = setting(a, &["sslverify"], is_false) {
                    return Some(format!("`{s}` turns off TLS certificate checks"));
                }
                setting(a, &["gpgcheck"], is_false)
                    .map(|s| format!("`{s}` turns off package signature checks"))
            })
        }
        "rpm" => ["--nosignature", "--nodigest"]
            .into_iter()
            .find(|f| cmd.has_flag(&[f]))
            .map(|f| format!("`rpm {f}` installs packages without verifying them")),
        "zypper" => {
            if cmd.has_flag(&["--no-gpg-checks"]) {
                return Some(
                    "`zypper --no-gpg-checks` installs packages without checking signatures".into(),
                );
            }
            let call = zypper(cmd)?;
            (matches!(call.sub, "ar" | "addrepo")
                && cmd.has_flag(&["-G", "--no-gpgcheck", "--no-gpg-check"]))
            .then(|| "a repository added without GPG checks".into())
        }
        "curl" => ["--insecure", "-k", "--proxy-insecure"]
            .into_iter()
            .find(|f| cmd.has_flag(&[f]))
            .map(|f| format!("`curl {f}` skips TLS certificate verification")),
        "wget" => cmd
            .has_flag(&["--no-check-certificate"])
            .then(|| "`wget --no-check-certificate` skips TLS certificate verification".into()),
        "git" => {
            let low: Vec<String> = cmd.args.iter().map(|a| a.to_ascii_lowercase()).collect();
            let by_c = low
                .iter()
                .any(|a| setting(a, &["sslverify"], is_false).is_some());
            let by_config = low.first().map(String::as_str) == Some("config")
                && low.iter().enumerate().any(|(i, a)| {
                    a.ends_with("sslverify") && low.get(i + 1).is_some_and(|v| is_false(v))
                });
            (by_c || by_config).then(|| {
                "git with `http.sslVerify=false` skips TLS certificate verification".into()
            })
        }
        "npm" | "yarn" | "pnpm" => config_pair(&cmd.args, "strict-ssl", is_false).then(|| {
            format!(
                "`strict-ssl false` makes {} skip TLS certificate verification",
                cmd.name
            )
        }),
        "conda" => config_pair(&cmd.args, "ssl_verify", is_false)
            .then(|| "`ssl_verify false` makes conda skip TLS certificate verification".into()),
        _ => {
            if let Some(args) = pip_args(cmd) {
                let trusted = args.iter().any(|a| {
                    a == "--trusted-host"
                        || a.starts_with("--trusted-host=")
                        || a.ends_with(".trusted-host")
                });
                return trusted.then(|| {
                    let host = cmd.flag_value(&["--trusted-host"]).unwrap_or("a host");
                    format!("`pip --trusted-host {host}` skips TLS certificate verification for it")
                });
            }
            written_config(cmd)
        }
    }
}

impl Check for VerificationDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if let Some(message) = problem(cmd) {
                out.push(cx.hit_cmd(run, cmd, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Script;

    fn check(text: &str) -> Option<String> {
        Script::parse(text).commands.iter().find_map(problem)
    }

    #[test]
    fn apt_options() {
        assert!(check("apt-get -o Acquire::https::Verify-Peer=false update").is_some());
        assert!(check("apt-get -o APT::Get::AllowUnauthenticated=true install x").is_some());
        assert!(check("apt-get -o Acquire::Retries=3 install x").is_none());
    }

    #[test]
    fn yum_and_git() {
        assert!(check("yum install -y --setopt=sslverify=false x").is_some());
        assert!(check("dnf --setopt=*.gpgcheck=0 install -y x").is_some());
        assert!(check("git config --global http.sslverify false").is_some());
        assert!(check("git config --global http.https://x.example.sslVerify false").is_some());
        assert!(check("export NODE_TLS_REJECT_UNAUTHORIZED=0").is_some());
        assert!(
            check("printf '[x]\\nbaseurl=http://x\\ngpgcheck=0\\n' > /etc/yum.repos.d/x.repo")
                .is_some()
        );
        assert!(check("echo 'repo_gpgcheck=0' >> /etc/yum.conf").is_none());
    }

    #[test]
    fn local_apk_files_are_not_flagged() {
        assert!(check("apk add --allow-untrusted ./x.apk /tmp/y.apk").is_none());
        assert!(check("apk add --allow-untrusted https://example.com/y.apk").is_some());
    }
}
