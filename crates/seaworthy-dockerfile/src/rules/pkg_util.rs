//! Helpers shared by the package-manager rules (SW-DF-010..029): which command is an install,
//! which of its arguments are packages, whether a package is pinned, what a RUN cleans up.

use crate::context::{Context, RunScript};
use crate::model::Base;
use crate::parser::Kind;
use crate::shell::ShellCommand;

/// A package-manager call: its subcommand and the operands after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<'a> {
    pub sub: &'a str,
    pub operands: Vec<&'a str>,
}

/// Arguments that are not options, skipping the values of the options in `takes_value`
/// (given as separate words). Everything after `--` is an operand.
pub fn operands<'a>(args: &'a [String], takes_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            out.extend(it.map(String::as_str));
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if !a.contains('=') && takes_value.contains(&a.as_str()) {
                it.next();
            }
            continue;
        }
        out.push(a.as_str());
    }
    out
}

fn call<'a>(args: &'a [String], takes_value: &[&str]) -> Option<Call<'a>> {
    let mut ops = operands(args, takes_value).into_iter();
    let sub = ops.next()?;
    Some(Call {
        sub,
        operands: ops.collect(),
    })
}

const APT_VALUE: &[&str] = &[
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
    "--default-release",
    "-a",
    "--host-architecture",
];

const APK_VALUE: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--keys-dir",
    "--arch",
    "--repositories-file",
    "--cache-dir",
    "--cache-max-age",
    "--timeout",
];

const YUM_VALUE: &[&str] = &[
    "-c",
    "--config",
    "--installroot",
    "--releasever",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "-x",
    "--exclude",
    "--setopt",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "--rpmverbosity",
    "--downloaddir",
    "--destdir",
    "--forcearch",
    "--enableplugin",
    "--disableplugin",
    "--repofrompath",
    "--color",
    "--platform-id",
];

const ZYPPER_VALUE: &[&str] = &[
    "-R",
    "--root",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "-c",
    "--config",
    "--userdata",
    "-r",
    "--repo",
    "--from",
    "-t",
    "--type",
    "--download",
];

const PIP_VALUE: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--cache-dir",
    "--progress-bar",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--only-binary",
    "--no-binary",
    "--upgrade-strategy",
    "--global-option",
    "--install-option",
    "-C",
    "--config-settings",
    "--report",
    "--python",
    "--root-user-action",
    "--keyring-provider",
    "--use-feature",
    "--use-deprecated",
];

const NPM_VALUE: &[&str] = &[
    "--prefix",
    "--registry",
    "--loglevel",
    "--cache",
    "--tag",
    "-w",
    "--workspace",
    "--omit",
    "--include",
    "--userconfig",
    "--globalconfig",
    "--install-strategy",
    "--fetch-timeout",
    "--fetch-retries",
];

const GEM_VALUE: &[&str] = &[
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "--source",
    "-s",
    "-P",
    "--trust-policy",
    "--platform",
    "-g",
    "--file",
    "--build-root",
];

/// `apt-get …` or `apt …`.
pub fn apt(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is_any(&["apt-get", "apt"]) {
        return None;
    }
    call(&cmd.args, APT_VALUE)
}

/// `apt-get install …` / `apt install …` with the packages it names.
pub fn apt_install(cmd: &ShellCommand) -> Option<Call<'_>> {
    apt(cmd).filter(|c| c.sub == "install")
}

pub fn apk(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is("apk") {
        return None;
    }
    call(&cmd.args, APK_VALUE)
}

/// `apk add …` with the packages it names (the `--virtual` name is not one).
pub fn apk_add(cmd: &ShellCommand) -> Option<Call<'_>> {
    apk(cmd).filter(|c| c.sub == "add")
}

/// The dnf-like managers: yum, dnf, microdnf, tdnf.
pub const RPM_MANAGERS: &[&str] = &["yum", "dnf", "microdnf", "tdnf"];

/// `yum …`, `dnf …`, `microdnf …` or `tdnf …`.
pub fn yum_like(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is_any(RPM_MANAGERS) {
        return None;
    }
    call(&cmd.args, YUM_VALUE)
}

/// yum/dnf subcommands that install packages.
pub fn is_yum_install_sub(sub: &str) -> bool {
    matches!(
        sub,
        "install" | "groupinstall" | "localinstall" | "reinstall" | "in"
    )
}

pub fn zypper(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is("zypper") {
        return None;
    }
    call(&cmd.args, ZYPPER_VALUE)
}

pub fn is_zypper_install_sub(sub: &str) -> bool {
    matches!(sub, "install" | "in" | "source-install" | "si")
}

/// The arguments after `pip` for `pip`, `pip3`, `pip3.12` and `python3 -m pip`.
pub fn pip_args(cmd: &ShellCommand) -> Option<&[String]> {
    let name = cmd.name.as_str();
    if let Some(rest) = name.strip_prefix("pip") {
        return rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
            .then_some(cmd.args.as_slice());
    }
    let version = name.strip_prefix("python")?;
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let m = cmd.args.iter().position(|a| a == "-m")?;
    // Only interpreter options may stand before `-m`.
    if cmd.args.iter().take(m).any(|a| !a.starts_with('-')) {
        return None;
    }
    match cmd.args.get(m + 1) {
        Some(module) if module == "pip" => cmd.args.get(m + 2..),
        _ => None,
    }
}

/// `pip install …` in any of its spellings, with the arguments after `install`.
pub fn pip_install(cmd: &ShellCommand) -> Option<&[String]> {
    let args = pip_args(cmd)?;
    let at = args.iter().position(|a| !a.starts_with('-'))?;
    if args.get(at).map(String::as_str) != Some("install") {
        return None;
    }
    args.get(at + 1..)
}

/// Operands of `pip install` (packages, paths, URLs), option values skipped.
pub fn pip_operands(args: &[String]) -> Vec<&str> {
    operands(args, PIP_VALUE)
}

const NPM_INSTALL: &[&str] = &[
    "install", "i", "add", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal",
    "isntall",
];

/// `npm install …` (and its aliases) with the packages it names.
pub fn npm_install(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is("npm") {
        return None;
    }
    call(&cmd.args, NPM_VALUE).filter(|c| NPM_INSTALL.contains(&c.sub))
}

/// `gem install …` with the gems it names (build options after `--` are left out).
pub fn gem_install(cmd: &ShellCommand) -> Option<Call<'_>> {
    if !cmd.is("gem") {
        return None;
    }
    let end = cmd
        .args
        .iter()
        .position(|a| a == "--")
        .unwrap_or(cmd.args.len());
    call(cmd.args.get(..end)?, GEM_VALUE).filter(|c| c.sub == "install")
}

/// Whether an argument is a path or URL rather than a package name.
pub fn is_path_or_url(arg: &str) -> bool {
    arg.starts_with('.')
        || arg.starts_with('/')
        || arg.starts_with('~')
        || arg.contains("://")
        || arg.starts_with("git+")
        || arg.starts_with("file:")
}

/// Whether the argument is shell code we cannot see through: a command substitution, a glob or a
/// brace expansion.
fn is_opaque(arg: &str) -> bool {
    arg.contains("$(") || arg.contains(['`', '*', '{', '}'])
}

/// The words an operand stands for: itself, or the value of the ARG/ENV variables it names.
/// Returns nothing for operands whose value cannot be known (shell variables, substitutions).
pub fn resolve(cx: &Context<'_>, run: &RunScript, arg: &str) -> Vec<String> {
    if arg.contains("$(") || arg.contains('`') {
        return Vec::new();
    }
    if !arg.contains('$') {
        return vec![arg.to_string()];
    }
    let expanded = cx.model.expand_full(cx.df, run.instr, arg);
    if !expanded.unresolved.is_empty() || expanded.value.contains('$') {
        return Vec::new();
    }
    expanded
        .value
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Package operands (after variable resolution) that fail `pinned`, paths and URLs left out.
pub fn unpinned(
    cx: &Context<'_>,
    run: &RunScript,
    operands: &[&str],
    pinned: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for op in operands {
        if pinned(op) {
            continue;
        }
        for word in resolve(cx, run, op) {
            if word.is_empty() || is_path_or_url(&word) || is_opaque(&word) || pinned(&word) {
                continue;
            }
            if !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

/// `a`, `` `a` and `b` ``, `` `a`, `b` and 3 more `` for messages.
pub fn list(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match (names.len(), quoted.as_slice()) {
        (_, []) => String::new(),
        (1, [a]) => a.clone(),
        (2, [a, b]) => format!("{a} and {b}"),
        (3, [a, b, c]) => format!("{a}, {b} and {c}"),
        (n, shown) => format!("{} and {} more", shown.join(", "), n - SHOWN),
    }
}

/// Whether a `--mount` of the RUN (cache or tmpfs) covers `path`: its target is `path` or a
/// parent of it, or `matches` accepts the target.
pub fn has_cache_mount(
    cx: &Context<'_>,
    run: &RunScript,
    paths: &[&str],
    matches: impl Fn(&str) -> bool,
) -> bool {
    let ins = cx.instruction(run.instr);
    ins.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref())
        .any(|spec| {
            let mut kind = "bind";
            let mut target = None;
            for part in spec.split(',') {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "type" => kind = v.trim(),
                    "target" | "dst" | "destination" => target = Some(v.trim()),
                    _ => {}
                }
            }
            let Some(target) = target else { return false };
            let target = target.trim_end_matches('/');
            (kind == "cache" || kind == "tmpfs")
                && (paths.iter().any(|p| is_within(p, target)) || matches(target))
        })
}

/// Whether `path` is `dir` or below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
        || dir.is_empty()
}

/// Whether `cmd` removes one of `dirs` or its content: `rm -rf /var/cache/apk/*`,
/// `rm -rf /var/lib/apt`, `rm -f /var/cache/apk/*.tar.gz`.
pub fn removes(cmd: &ShellCommand, dirs: &[&str]) -> bool {
    cmd.is("rm")
        && cmd.positional().any(|arg| {
            let a = arg.trim_end_matches("/*");
            dirs.iter().any(|d| {
                (a.len() > 1 && is_within(d, a)) || (arg.contains('*') && is_within(arg, d))
            })
        })
}

/// The last command of `run` that `is_install` accepts, unless a later command of the RUN
/// cleans up (`is_clean`, or `rm` of one of `cache`). `None` too for RUNs outside the shipped
/// stages and for RUNs that mount a cache (or tmpfs) over one of `cache`.
pub fn install_not_cleaned<'r>(
    cx: &Context<'_>,
    run: &'r RunScript,
    cache: &[&str],
    is_install: impl Fn(&ShellCommand) -> bool,
    is_clean: impl Fn(&ShellCommand) -> bool,
) -> Option<&'r ShellCommand> {
    if !cx.is_in_target_chain(run.instr) || has_cache_mount(cx, run, cache, |_| false) {
        return None;
    }
    let cmds = &run.script.commands;
    let at = cmds.iter().rposition(&is_install)?;
    if after(run, at).any(|c| is_clean(c) || removes(c, cache)) {
        return None;
    }
    cmds.get(at)
}

/// Commands of `run` after the one at index `at`.
pub fn after(run: &RunScript, at: usize) -> impl Iterator<Item = &ShellCommand> {
    run.script.commands.iter().skip(at + 1)
}

/// Whether some ENV or ARG anywhere in the file declares `name`. Rules that call [`env_set`]
/// for every command compute it once: without a declaration the (linear) lookup through the
/// stage is skipped.
pub fn declares(cx: &Context<'_>, name: &str) -> bool {
    cx.instructions().any(|(_, ins)| match &ins.kind {
        Kind::Env { pairs, .. } => pairs.iter().any(|p| p.key == name),
        Kind::Arg(decls) => decls.iter().any(|d| d.name == name),
        _ => false,
    })
}

/// Whether the variable is set for RUN `instr` by ENV or ARG (only looked up when `declared`,
/// see [`declares`]), or before `at` inside the RUN (`export NAME=…`, `NAME=… cmd`).
pub fn env_set(cx: &Context<'_>, run: &RunScript, at: usize, name: &str, declared: bool) -> bool {
    let in_run = run.script.commands.iter().take(at + 1).any(|c| {
        c.assignments.iter().any(|(k, _)| k == name)
            || (c.is("export")
                && c.args
                    .iter()
                    .any(|a| a.split_once('=').is_some_and(|(k, _)| k == name)))
    });
    in_run || (declared && cx.model.lookup(cx.df, run.instr, name).is_some())
}

/// Whether stage `ancestor` is `stage` or a stage it builds on.
fn builds_on(cx: &Context<'_>, stage: usize, ancestor: usize) -> bool {
    let mut at = Some(stage);
    let mut hops = 0;
    while let Some(s) = at {
        if s == ancestor {
            return true;
        }
        hops += 1;
        if hops > cx.model.stages.len() {
            return false;
        }
        at = match cx.model.stages.get(s).map(|st| &st.base) {
            Some(Base::Stage(parent)) if *parent < s => Some(*parent),
            _ => None,
        };
    }
    false
}

/// Whether instruction `earlier` precedes `later` in its stage or in a stage `later` builds on,
/// so that its filesystem changes are visible to `later`.
pub fn is_visible_to(cx: &Context<'_>, earlier: usize, later: usize) -> bool {
    if earlier >= later {
        return false;
    }
    let stage_of = |i: usize| cx.model.stage_of.get(i).copied().flatten();
    match (stage_of(earlier), stage_of(later)) {
        (Some(a), Some(b)) => builds_on(cx, b, a),
        _ => false,
    }
}

/// The RUN instructions whose text (heredoc bodies included) contains all of `needles`
/// (lower case; matched case-insensitively), e.g. a package-manager setting written into a
/// config file. Compute it once per check and ask [`configured`] for each instruction: scanning
/// the whole file for every install would be quadratic in the number of RUNs.
pub fn runs_containing(cx: &Context<'_>, needles: &[&str]) -> Vec<usize> {
    cx.instructions()
        .filter(|(_, ins)| matches!(ins.kind, Kind::Run(_)))
        .filter(|(_, ins)| {
            let text = ins.text.to_ascii_lowercase();
            let bodies: String = ins
                .heredocs
                .iter()
                .map(|h| h.body.to_ascii_lowercase())
                .collect();
            needles
                .iter()
                .all(|n| text.contains(n) || bodies.contains(n))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether one of `found` (from [`runs_containing`]) is `instr` itself or visible to it.
pub fn configured(cx: &Context<'_>, found: &[usize], instr: usize) -> bool {
    found
        .iter()
        .any(|&i| i == instr || is_visible_to(cx, i, instr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Script;

    fn first(text: &str) -> ShellCommand {
        Script::parse(text)
            .commands
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no command in {text}"))
    }

    #[test]
    fn option_values_are_not_packages() {
        let c = first("apt-get -o Dpkg::Options::=--force-confold -t bookworm install -y curl");
        let call = apt_install(&c);
        assert_eq!(call.map(|c| c.operands), Some(vec!["curl"]));
        let c = first("apk add --no-cache --virtual .deps gcc");
        assert_eq!(apk_add(&c).map(|c| c.operands), Some(vec!["gcc"]));
        let c = first("gem install rails -v 7 -- --with-x=y");
        assert_eq!(gem_install(&c).map(|c| c.operands), Some(vec!["rails"]));
    }

    #[test]
    fn pip_spellings() {
        assert!(pip_install(&first("pip3.12 install x")).is_some());
        assert!(pip_install(&first("python3 -m pip install x")).is_some());
        assert!(pip_install(&first("python -u -m pip --quiet install x")).is_some());
        assert!(pip_install(&first("python3 -m venv x")).is_none());
        assert!(pip_install(&first("pipx install x")).is_none());
        assert!(pip_install(&first("pip download x")).is_none());
    }

    #[test]
    fn removal_and_lists() {
        assert!(removes(
            &first("rm -rf /var/lib/apt/lists/*"),
            &["/var/lib/apt/lists"]
        ));
        assert!(removes(
            &first("rm -rf /var/lib/apt"),
            &["/var/lib/apt/lists"]
        ));
        assert!(!removes(
            &first("rm -rf /var/lib/apt/lists/*"),
            &["/var/cache/apk"]
        ));
        assert!(!removes(&first("rm -rf /"), &["/var/cache/apk"]));
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list(&names[..1]), "`a`");
        assert_eq!(list(&names[..2]), "`a` and `b`");
        assert_eq!(list(&names), "`a`, `b`, `c` and 1 more");
    }
}
