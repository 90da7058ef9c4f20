use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{
    after, declares, env_set, has_cache_mount, pip_args, pip_install, removes,
};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags `pip install` (also `pip3`, `python -m pip`) without `--no-cache-dir`.
    ///
    /// Only stages that end up in the shipped image are checked. The rule stays quiet when
    /// `PIP_NO_CACHE_DIR` is set (ENV, ARG, or on the command), when the RUN mounts a cache on
    /// `~/.cache/pip`, and when the RUN removes the cache or runs `pip cache purge` afterwards.
    ///
    /// ## Why
    /// pip keeps every wheel it downloads or builds in `~/.cache/pip`. In an image that cache is
    /// never used again but ships in the layer, often doubling the size of the installed
    /// packages.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN pip install -r requirements.txt
    /// # good
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    PipNoCacheDir {
        id: "SW-DF-018",
        name: "pip-cache-not-disabled",
        title: "pip install without --no-cache-dir",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Add --no-cache-dir to pip install, or set ENV PIP_NO_CACHE_DIR=1.",
        refs: [Hadolint("DL3042")],
        fire: [
            "FROM python:3.12\nRUN pip install -r requirements.txt\n",
            "FROM python:3.12\nRUN python3 -m pip install --upgrade pip \\\n && pip3 install \\\n      flask==3.0.0\n",
            "FROM python:3.12\nRUN <<EOF\nset -e\npip install --user requests==2.32.3\nEOF\n",
        ],
        quiet: [
            "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.0\n",
            "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=off pip install flask==3.0.0\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            "FROM python:3.12\nRUN pip install flask==3.0.0 && rm -rf /root/.cache/pip\n",
            "FROM python:3.12 AS build\nRUN pip wheel -r requirements.txt && pip install x==1\nFROM python:3.12-slim\nCOPY --from=build /wheels /wheels\n",
        ],
    }
}

/// A cache mount on a pip cache (any user's `~/.cache/pip`, or `~/.cache`).
fn is_pip_cache(target: &str) -> bool {
    target.ends_with("/.cache/pip") || target.ends_with("/.cache") || target.contains("pip-cache")
}

/// `rm -rf ~/.cache/pip`, `rm -rf /root/.cache`, `pip cache purge`.
fn cleans(cmd: &ShellCommand) -> bool {
    if cmd.is("rm") {
        return cmd.positional().any(|a| {
            let a = a.trim_end_matches("/*").trim_end_matches('/');
            a.ends_with(".cache/pip") || a.ends_with("/.cache") || a == "~/.cache"
        }) || removes(cmd, &["/root/.cache/pip"]);
    }
    pip_args(cmd).is_some_and(|args| {
        let mut words = args.iter().filter(|a| !a.starts_with('-'));
        words.next().map(String::as_str) == Some("cache")
            && matches!(words.next().map(String::as_str), Some("purge" | "remove"))
    })
}

impl Check for PipNoCacheDir {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let no_cache_env = declares(cx, "PIP_NO_CACHE_DIR");
        for run in &cx.runs {
            if !cx.is_in_target_chain(run.instr) || has_cache_mount(cx, run, &[], is_pip_cache) {
                continue;
            }
            for (i, cmd) in run.script.commands.iter().enumerate() {
                let Some(args) = pip_install(cmd) else {
                    continue;
                };
                // pip accepts unambiguous prefixes of long options (`--no-cache`).
                let disabled = args.iter().any(|a| {
                    let a = a.split('=').next().unwrap_or(a);
                    a.len() >= "--no-cache".len() && "--no-cache-dir".starts_with(a)
                });
                if disabled
                    || env_set(cx, run, i, "PIP_NO_CACHE_DIR", no_cache_env)
                    || after(run, i).any(cleans)
                {
                    continue;
                }
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{} install` keeps its download cache in the layer; add --no-cache-dir",
                        if cmd.name.starts_with("python") {
                            format!("{} -m pip", cmd.name)
                        } else {
                            cmd.name.clone()
                        }
                    ),
                ));
            }
        }
    }
}
