//! The small language rule test cases are written in: a `docker run` command line (words split
//! on spaces) or a compose file (text starting with `services:`), after optional directive
//! lines:
//!
//! - `@ps <command line>`: a process running in the container (makes it a running container)
//! - `@exec privileged|root|user <command>`: a `docker exec` session
//! - `@apparmor=on|off`, `@selinux=on|off`: what the host enforces
//! - `@daemon-nnp`: the daemon sets no-new-privileges

use crate::compose;
use crate::rules::Context;
use crate::spec::{ContainerSpec, ExecSession};

/// The container and context a case describes.
pub fn parse(case: &str) -> Result<(ContainerSpec, Context), String> {
    let mut ctx = Context::default();
    let mut processes: Option<Vec<String>> = None;
    let mut execs: Option<Vec<ExecSession>> = None;
    let mut body = String::new();
    for line in case.lines() {
        if let Some(directive) = line.strip_prefix('@') {
            match directive.split_once(' ').unwrap_or((directive, "")) {
                ("ps", cmd) => processes.get_or_insert_with(Vec::new).push(cmd.to_string()),
                ("exec", rest) => {
                    let (how, cmd) = rest.split_once(' ').unwrap_or((rest, ""));
                    let list = execs.get_or_insert_with(Vec::new);
                    list.push(ExecSession {
                        id: format!("exec{}", list.len()),
                        privileged: how == "privileged",
                        user: if how == "root" {
                            "root".into()
                        } else {
                            String::new()
                        },
                        command: cmd.to_string(),
                    });
                }
                ("apparmor=on", _) => ctx.apparmor = Some(true),
                ("apparmor=off", _) => ctx.apparmor = Some(false),
                ("selinux=on", _) => ctx.selinux = Some(true),
                ("selinux=off", _) => ctx.selinux = Some(false),
                ("daemon-nnp", _) => ctx.daemon_no_new_privileges = true,
                (other, _) => return Err(format!("unknown directive @{other}")),
            }
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    let mut spec = if body.trim_start().starts_with("services:") {
        let mut specs = compose::parse("compose.yaml", &body, &compose::Env::new())
            .map_err(|e| e.to_string())?;
        if specs.len() != 1 {
            return Err(format!("a case has one service, found {}", specs.len()));
        }
        specs.remove(0)
    } else {
        let words: Vec<&str> = body.split_whitespace().collect();
        crate::run::parse(&words).map_err(|e| e.to_string())?
    };
    spec.processes = processes;
    spec.execs = execs;
    Ok((spec, ctx))
}
