//! `docker run …` command lines → [`ContainerSpec`], parsed the way the Docker CLI (pflag) does:
//! `--flag=value`, `--flag value`, `--bool`/`--bool=false`, combined short flags (`-itd`,
//! `-dp80:80`), `--` ends the flags, the first argument that is not a flag is the image and
//! everything after it is the command. A leading `docker run` / `docker container run` (with
//! global options such as `-H host`) is accepted.

mod flags;

use std::fmt;

pub use flags::{FLAGS, Flag};

use crate::compose::has_variables;
use crate::spec::{ContainerSpec, EnvVar, Field, Mount, MountKind, Set, Subject};
use crate::syntax::{
    normalize_cap, parse_bytes, parse_cpus, parse_mount, parse_ports, parse_volume,
};

/// Command lines longer than this are refused.
pub const MAX_ARGS: usize = 4096;
pub const MAX_BYTES: usize = 256 * 1024;

/// Why a command line could not be read; `index` is the 1-based argument position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    pub index: usize,
    pub message: String,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == 0 {
            write!(f, "docker run: {}", self.message)
        } else {
            write!(f, "docker run argument {}: {}", self.index, self.message)
        }
    }
}

impl std::error::Error for RunError {}

/// One flag as given: canonical flag, value, 1-based argument index and the form written.
struct Given {
    flag: &'static Flag,
    value: String,
    index: usize,
    written: String,
}

/// Parses a `docker run` command line into the container it would start.
pub fn parse<S: AsRef<str>>(argv: &[S]) -> Result<ContainerSpec, RunError> {
    let argv: Vec<&str> = argv.iter().map(AsRef::as_ref).collect();
    // Messages quote flags and values from the command line: escaped and capped, never raw.
    let err = |index: usize, message: String| RunError {
        index,
        message: seaworthy_core::text::within_owned(message, seaworthy_core::text::MESSAGE_MAX),
    };
    if argv.len() > MAX_ARGS || argv.iter().map(|a| a.len()).sum::<usize>() > MAX_BYTES {
        return Err(err(
            0,
            format!("command line too long (limits: {MAX_ARGS} arguments, {MAX_BYTES} bytes)"),
        ));
    }
    let start = skip_docker_run(&argv).map_err(|m| err(1, m))?;
    let mut given = Vec::new();
    let mut i = start;
    let mut image_at = None;
    while i < argv.len() {
        let arg = argv[i];
        if arg == "--" {
            image_at = (i + 1 < argv.len()).then_some(i + 1);
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let flag =
                flags::long(name).ok_or_else(|| err(i + 1, format!("unknown flag: --{name}")))?;
            let value = if flag.takes_value {
                match inline {
                    Some(v) => v.to_string(),
                    None => {
                        i += 1;
                        argv.get(i)
                            .ok_or_else(|| err(i, format!("flag needs an argument: --{name}")))?
                            .to_string()
                    }
                }
            } else {
                inline.unwrap_or("true").to_string()
            };
            given.push(Given {
                flag,
                value,
                index: i + 1 - usize::from(flag.takes_value && inline.is_none()),
                written: format!("--{name}"),
            });
        } else if arg.len() > 1 && arg.starts_with('-') {
            let letters: Vec<char> = arg[1..].chars().collect();
            let index = i + 1;
            let mut k = 0;
            while k < letters.len() {
                let c = letters[k];
                let flag = flags::short(c)
                    .ok_or_else(|| err(index, format!("unknown shorthand flag: '{c}' in {arg}")))?;
                let rest: String = letters[k + 1..].iter().collect();
                if flag.takes_value {
                    let value = if let Some(v) = rest.strip_prefix('=') {
                        v.to_string()
                    } else if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        argv.get(i)
                            .ok_or_else(|| {
                                err(index, format!("flag needs an argument: '{c}' in -{c}"))
                            })?
                            .to_string()
                    };
                    given.push(Given {
                        flag,
                        value,
                        index,
                        written: format!("-{c}"),
                    });
                    break;
                }
                let value = match rest.strip_prefix('=') {
                    Some(v) => {
                        k = letters.len();
                        v.to_string()
                    }
                    None => "true".to_string(),
                };
                given.push(Given {
                    flag,
                    value,
                    index,
                    written: format!("-{c}"),
                });
                k += 1;
            }
        } else {
            image_at = Some(i);
            break;
        }
        i += 1;
    }
    let image_at = image_at.ok_or_else(|| {
        err(
            argv.len(),
            "\"docker run\" requires at least 1 argument: the image".to_string(),
        )
    })?;
    let mut spec = ContainerSpec::new(
        Subject::Run {
            command: argv.join(" "),
        },
        argv[image_at],
    );
    spec.image_at = Some(Field {
        name: "IMAGE".to_string(),
        line: None,
        column: Some(image_at as u32 + 1),
    });
    for g in given {
        apply(&mut spec, &g).map_err(|m| err(g.index, format!("{}: {m}", g.written)))?;
    }
    Ok(spec)
}

/// Index of the first argument after `docker run` / `docker container run` / `run`.
fn skip_docker_run(argv: &[&str]) -> Result<usize, String> {
    let Some(first) = argv.first() else {
        return Ok(0);
    };
    let is_docker = first
        .rsplit('/')
        .next()
        .is_some_and(|b| b == "docker" || b == "docker.exe");
    let mut i = usize::from(is_docker);
    if !is_docker && !matches!(*first, "run" | "container") {
        return Ok(0);
    }
    const GLOBAL_WITH_VALUE: &[&str] = &[
        "-H",
        "--host",
        "-c",
        "--context",
        "--config",
        "-l",
        "--log-level",
        "--tlscacert",
        "--tlscert",
        "--tlskey",
    ];
    while let Some(arg) = argv.get(i) {
        match *arg {
            "run" => return Ok(i + 1),
            "container" if argv.get(i + 1) == Some(&"run") => return Ok(i + 2),
            a if GLOBAL_WITH_VALUE.contains(&a) => i += 2,
            a if a.starts_with('-') => i += 1,
            other => return Err(format!("expected `docker run`, found `docker {other}`")),
        }
    }
    Err("expected `docker run`".to_string())
}

fn apply(spec: &mut ContainerSpec, g: &Given) -> Result<(), String> {
    let at = Field {
        name: g.written.clone(),
        line: None,
        column: Some(g.index as u32),
    };
    let v = g.value.as_str();
    match g.flag.long {
        "privileged" => spec.privileged = some(parse_bool(v)?, &at),
        "read-only" => spec.read_only_rootfs = some(parse_bool(v)?, &at),
        "cap-add" => spec.cap_add.push(Set::new(normalize_cap(v), at)),
        "cap-drop" => spec.cap_drop.push(Set::new(normalize_cap(v), at)),
        "security-opt" => spec.security_opt.push(Set::new(v.to_string(), at)),
        "volume" => spec.mounts.push(parse_volume(v, &at)?),
        "mount" => spec.mounts.push(parse_mount(v, &at)?),
        "tmpfs" => spec.mounts.push(Mount {
            kind: MountKind::Tmpfs,
            source: String::new(),
            target: v.split(':').next().unwrap_or_default().to_string(),
            read_only: false,
            propagation: None,
            at,
        }),
        "use-api-socket" if parse_bool(v)? => spec.mounts.push(Mount {
            kind: MountKind::Bind,
            source: "/var/run/docker.sock".to_string(),
            target: "/var/run/docker.sock".to_string(),
            read_only: false,
            propagation: None,
            at,
        }),
        "publish" => spec.ports.extend(parse_ports(v, &at)?),
        "network" => spec.network_mode = some(v.to_string(), &at),
        "pid" => spec.pid_mode = some(v.to_string(), &at),
        "ipc" => spec.ipc_mode = some(v.to_string(), &at),
        "uts" => spec.uts_mode = some(v.to_string(), &at),
        "userns" => spec.userns_mode = some(v.to_string(), &at),
        "cgroupns" => spec.cgroupns_mode = some(v.to_string(), &at),
        "memory" => spec.memory = Some(Set::new(parse_bytes(v)?, at)),
        "cpu-shares" => spec.cpu_shares = Some(Set::new(parse_int(v)?, at)),
        "cpus" => spec.nano_cpus = Some(Set::new(parse_cpus(v)?, at)),
        "cpu-quota" => spec.cpu_quota = Some(Set::new(parse_int(v)?, at)),
        "pids-limit" => spec.pids_limit = Some(Set::new(parse_int(v)?, at)),
        "restart" => spec.restart = Some(Set::new(parse_restart(v)?, at)),
        "health-cmd" if spec.healthcheck.as_ref().is_none_or(|h| h.value) => {
            spec.healthcheck = Some(Set::new(!v.trim().eq_ignore_ascii_case("none"), at))
        }
        "no-healthcheck" if parse_bool(v)? => spec.healthcheck = Some(Set::new(false, at)),
        "device" => spec.devices.push(Set::new(v.to_string(), at)),
        "cgroup-parent" => spec.cgroup_parent = some(v.to_string(), &at),
        "user" => spec.user = some(v.to_string(), &at),
        "ulimit" => spec.ulimits.push(Set::new(v.to_string(), at)),
        // `-e NAME` passes the caller's value; a `$VAR` left unexpanded is not a value either.
        "env" => {
            let (name, value) = match v.split_once('=') {
                Some((n, val)) => (n, Some(val).filter(|val| !has_variables(val))),
                None => (v, None),
            };
            spec.env.push(EnvVar {
                name: name.to_string(),
                value: value.map(str::to_string),
                at,
            });
        }
        "label" => {
            let (k, val) = v.split_once('=').unwrap_or((v, ""));
            spec.labels.push((k.to_string(), val.to_string()));
        }
        _ => {}
    }
    Ok(())
}

fn some<T>(value: T, at: &Field) -> Option<Set<T>> {
    Some(Set::new(value, at.clone()))
}

/// pflag's boolean syntax.
fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid boolean `{v}`")),
    }
}

fn parse_int(v: &str) -> Result<i64, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("invalid integer `{v}`"))
}

/// `no`, `always`, `unless-stopped`, `on-failure[:N]`.
pub(crate) fn parse_restart(v: &str) -> Result<(String, i64), String> {
    let (name, count) = match v.split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (v, None),
    };
    match (name, count) {
        ("no" | "always" | "unless-stopped", None) => Ok((name.to_string(), 0)),
        ("on-failure", None) => Ok((name.to_string(), 0)),
        ("on-failure", Some(c)) => match c.parse::<i64>() {
            Ok(n) if n >= 0 => Ok((name.to_string(), n)),
            _ => Err(format!("invalid maximum retry count `{c}`")),
        },
        ("no" | "always" | "unless-stopped", Some(_)) => Err(format!(
            "maximum retry count cannot be used with restart policy `{name}`"
        )),
        _ => Err(format!(
            "invalid restart policy `{v}` (no, always, unless-stopped, on-failure[:max-retries])"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn run(line: &str) -> Result<ContainerSpec, RunError> {
        parse(&line.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn pflag_forms() {
        let s = run("docker run -itd --rm --privileged=false -p80:80 --net=host -m 512m --cpus 1.5 alpine sh -c true").unwrap();
        assert_eq!(s.image, "alpine");
        assert_eq!(s.privileged.as_ref().map(|p| p.value), Some(false));
        assert_eq!(s.ports[0].host_port, Some(80));
        assert_eq!(s.ports[0].at.name, "-p");
        assert_eq!(s.ports[0].at.column, Some(6));
        assert_eq!(s.network_mode.as_ref().unwrap().value, "host");
        assert_eq!(s.network_mode.as_ref().unwrap().at.name, "--net");
        assert_eq!(s.memory.as_ref().unwrap().value, 512 << 20);
        assert_eq!(s.memory.as_ref().unwrap().at.column, Some(8));
        assert_eq!(s.nano_cpus.as_ref().unwrap().value, 1_500_000_000);
    }

    #[test]
    fn prefixes_and_the_command() {
        for line in [
            "docker run alpine --privileged",
            "docker container run alpine --privileged",
            "docker -H unix:///x.sock run alpine --privileged",
            "run alpine --privileged",
            "alpine --privileged",
            "/usr/bin/docker run -- alpine --privileged",
        ] {
            let s = run(line).unwrap();
            assert_eq!(s.image, "alpine", "{line}");
            assert!(
                s.privileged.is_none(),
                "{line}: a flag after the image is the command's"
            );
        }
    }

    #[test]
    fn combined_short_flags_with_a_value_last() {
        let s = run("-dp 8080:80 -u=1000 -itv /:/host busybox").unwrap();
        assert_eq!(s.ports[0].host_port, Some(8080));
        assert_eq!(s.user.as_ref().unwrap().value, "1000");
        assert_eq!(s.mounts[0].source, "/");
    }

    #[test]
    fn errors_name_the_flag() {
        let e = run("docker run --frobnicate x alpine").unwrap_err();
        assert_eq!(e.index, 3);
        assert!(e.to_string().contains("--frobnicate"), "{e}");
        assert!(
            run("docker run -Z alpine")
                .unwrap_err()
                .to_string()
                .contains("'Z'")
        );
        assert!(
            run("docker run --memory")
                .unwrap_err()
                .to_string()
                .contains("--memory")
        );
        assert!(
            run("docker run --privileged")
                .unwrap_err()
                .to_string()
                .contains("image")
        );
        assert!(run("docker run --restart sometimes alpine").is_err());
        assert!(run("docker run --privileged=maybe alpine").is_err());
        assert!(run("docker build .").is_err());
    }

    #[test]
    fn env_forms() {
        let s = run("docker run -e A=1 --env B=two=2 --env=C -eD=$HOME -e E= alpine").unwrap();
        let env: Vec<_> = s
            .env
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.value.as_deref(),
                    e.at.name.as_str(),
                    e.at.column,
                )
            })
            .collect();
        assert_eq!(
            env,
            [
                ("A", Some("1"), "-e", Some(3)),
                ("B", Some("two=2"), "--env", Some(5)),
                ("C", None, "--env", Some(7)),
                ("D", None, "-e", Some(8)),
                ("E", Some(""), "-e", Some(9)),
            ]
        );
    }

    #[test]
    fn healthcheck_flags() {
        assert_eq!(
            run("--health-cmd true alpine")
                .unwrap()
                .healthcheck
                .map(|h| h.value),
            Some(true)
        );
        assert_eq!(
            run("--no-healthcheck alpine")
                .unwrap()
                .healthcheck
                .map(|h| h.value),
            Some(false)
        );
        assert_eq!(run("alpine").unwrap().healthcheck, None);
    }

    #[test]
    fn every_flag_parses() {
        for f in FLAGS {
            let line = if f.takes_value {
                format!("--{} x alpine", f.long)
            } else {
                format!("--{} alpine", f.long)
            };
            // A value flag may reject `x` as a value, never as an unknown flag.
            if let Err(e) = run(&line) {
                assert!(!e.message.contains("unknown flag"), "{line}: {e}");
            }
        }
    }
}
