use crate::context::{Context, Hit, clip};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::root_user::{is_root, stage_chain, user_of};

seaworthy_core::declare_rule! {
    /// Flags `sudo` (or `doas`) in RUN.
    ///
    /// ## Why
    /// A build step already runs as root unless a USER says otherwise. `sudo` then only adds a
    /// package to the image, a PAM and TTY dependency, and an environment that differs from the
    /// caller's (PATH, HOME, proxies), so the step behaves unpredictably. Shipping sudo in the
    /// image also gives anyone who gets a shell in the container a way to root.
    ///
    /// ## Fix
    /// Switch user around the steps that need root, and use `gosu`/`su-exec` at run time.
    /// ```dockerfile
    /// # bad
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// # good
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// ```
    SudoInRun {
        id: "SW-DF-031",
        name: "sudo-in-run",
        title: "sudo used in RUN",
        area: Dockerfile,
        group: "run",
        severity: Medium,
        remediation: "Drop sudo: run the step as root (USER root before it, USER app after), and use gosu or su-exec at run time.",
        refs: [Hadolint("DL3004"), Trivy("DS-0010"), Dockle("DKL-DI-0001")],
        fire: [
            "FROM debian:12\nUSER app\nRUN sudo apt-get update \\\n && sudo -E apt-get install -y curl\n",
            "FROM debian:12\nRUN [\"sudo\", \"-u\", \"app\", \"/opt/setup.sh\"]\n",
            "FROM alpine:3.20\nRUN <<EOF\nset -e\ndoas apk add git\nEOF\n",
            "FROM debian:12\nRUN sudo -u app env HOME=/home/app /opt/setup.sh && sudo --user=root ls\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get install -y sudo && echo 'app ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/app\n",
            "FROM debian:12\nRUN gosu app /opt/setup.sh\n",
            "FROM debian:12\nRUN echo 'run with sudo' > /etc/motd\n",
        ],
    }
}

/// The USER in effect at instruction `i` (its stage, then the stages it builds on), if any.
fn current_user(cx: &Context<'_>, i: usize) -> Option<String> {
    let stage = cx.model.stage_of.get(i).copied().flatten()?;
    stage_chain(cx, stage).into_iter().find_map(|s| {
        let body = cx.model.stages.get(s)?.body.clone();
        body.filter(|&j| j < i)
            .rev()
            .find(|&j| matches!(cx.instruction(j).kind, Kind::User(_)))
            .and_then(|j| user_of(cx, j).map(|(v, _)| v))
    })
}

/// The user of `sudo -u USER` / `sudo --user=USER` / `doas -u USER`, read from the words of
/// the command's text before the program it runs.
fn target_user(text: &str, wrapper: &str) -> Option<String> {
    let mut words = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"'));
    words.find(|w| w.rsplit('/').next() == Some(wrapper))?;
    while let Some(w) = words.next() {
        if !w.starts_with('-') {
            return None;
        }
        if w == "-u" || w == "--user" {
            return words.next().map(str::to_string);
        }
        if let Some(u) = w.strip_prefix("--user=") {
            return Some(u.to_string());
        }
        if let Some(u) = w.strip_prefix("-u").filter(|u| !u.is_empty()) {
            return Some(u.to_string());
        }
    }
    None
}

impl Check for SudoInRun {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let wrapper = cmd
                .wrappers
                .iter()
                .find(|w| *w == "sudo" || *w == "doas")
                .cloned()
                .or_else(|| cmd.is_any(&["sudo", "doas"]).then(|| cmd.name.clone()));
            let Some(wrapper) = wrapper else { continue };
            let runs = if cmd.is(&wrapper) {
                "a root shell".to_string()
            } else {
                format!("`{}`", cmd.name)
            };
            let as_user = run
                .text
                .get(cmd.start..cmd.end)
                .and_then(|t| target_user(t, &wrapper))
                .filter(|u| !is_root(u));
            let message = if let Some(user) = as_user {
                format!(
                    "`{wrapper} -u {user}` runs {runs} as `{user}`; switch with USER {user} around \
                     this step (or use gosu or su-exec) instead of relying on {wrapper} in the image"
                )
            } else {
                match current_user(cx, run.instr).filter(|u| !is_root(u)) {
                    Some(user) => format!(
                        "`{wrapper}` runs {runs} as root while USER is `{user}`; switch with USER \
                         root around this step instead"
                    ),
                    None => format!(
                        "`{wrapper}` runs {runs}, but build steps already run as root; drop it"
                    ),
                }
            };
            let mut hit = cx.hit_cmd(run, cmd, message);
            if !cmd.is(&wrapper) {
                hit.evidence = Some(clip(&format!("{wrapper} {}", cmd.display())));
            }
            out.push(hit);
        }
    }
}
