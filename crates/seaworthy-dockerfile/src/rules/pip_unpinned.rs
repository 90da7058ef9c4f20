use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{declares, env_set, list, pip_install, pip_operands, unpinned};

seaworthy_core::declare_rule! {
    /// Flags `pip install` of packages without a version specifier (`flask` instead of
    /// `flask==3.0.3`).
    ///
    /// Any specifier counts (`==`, `~=`, `>=`, `<`, …), as do direct references (`pkg @ url`),
    /// requirement files (`-r`), local paths, `.`, wheels, archives and VCS URLs with a ref
    /// (`git+https://…/repo.git@v1.2`). A constraints file (`-c`, or `PIP_CONSTRAINT`) pins the
    /// named packages too.
    ///
    /// ## Why
    /// Without a version each build installs the newest release on PyPI that day: two builds of
    /// one Dockerfile can differ, a breaking release fails the image at random, and a compromised
    /// new release goes straight in. Pins (best with hashes, in a requirements file) make the
    /// build reproducible and upgrades reviewable.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN pip install --no-cache-dir flask gunicorn
    /// # good
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    PipUnpinned {
        id: "SW-DF-021",
        name: "pip-unpinned",
        title: "pip install without package versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each package (pip install <package>==<version>) or install from a requirements file.",
        refs: [Hadolint("DL3013")],
        fire: [
            "FROM python:3.12\nRUN pip install --no-cache-dir flask gunicorn==22.0.0\n",
            "FROM python:3.12\nRUN python3 -m pip install --no-cache-dir \\\n      --upgrade pip\n",
            "FROM python:3.12\nRUN pip3 install --no-cache-dir -r requirements.txt && pip3 install --no-cache-dir 'uvicorn[standard]'\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/encode/httpx.git\n",
        ],
        quiet: [
            "FROM python:3.12\nRUN pip install --no-cache-dir 'flask==3.0.3' 'requests>=2.31,<3' attrs~=23.2\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt -e . ./libs/core dist/app-1.0-py3-none-any.whl\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/psf/requests@v2.32.3 https://example.com/x-1.0.tar.gz\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir -c constraints.txt flask gunicorn\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir \"$PACKAGE\"\n",
            "FROM python:3.12\nRUN pip download flask\n",
        ],
    }
}

const SPECIFIERS: &[char] = &['=', '<', '>', '~', '!', '@'];
const ARCHIVES: &[&str] = &[".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".egg"];

/// A VCS requirement (`git+https://host/repo.git`) without `@<ref>`: it installs the default
/// branch as it is at build time.
fn vcs_without_ref(req: &str) -> bool {
    let Some((scheme, rest)) = req.split_once("://") else {
        return false;
    };
    let vcs = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| scheme.starts_with(p));
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    vcs && !path.contains('@')
}

fn pinned(req: &str) -> bool {
    req.contains(SPECIFIERS) || ARCHIVES.iter().any(|e| req.ends_with(e))
}

impl Check for PipUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let constraint_env = declares(cx, "PIP_CONSTRAINT");
        for run in &cx.runs {
            for (i, cmd) in run.script.commands.iter().enumerate() {
                let Some(args) = pip_install(cmd) else {
                    continue;
                };
                if args
                    .iter()
                    .any(|a| a.starts_with("--constraint") || a.starts_with("-c"))
                    || env_set(cx, run, i, "PIP_CONSTRAINT", constraint_env)
                {
                    continue;
                }
                let ops = pip_operands(args);
                // `pkg @ url` written as three words: the name is pinned by the URL.
                let ops: Vec<&str> = ops
                    .iter()
                    .enumerate()
                    .filter(|(n, op)| {
                        !op.starts_with('@')
                            && !ops.get(n + 1).is_some_and(|next| next.starts_with('@'))
                    })
                    .map(|(_, op)| *op)
                    .collect();
                let mut loose = unpinned(cx, run, &ops, pinned);
                loose.extend(
                    ops.iter()
                        .filter(|op| vcs_without_ref(op))
                        .map(|op| op.to_string()),
                );
                if loose.is_empty() {
                    continue;
                }
                let how = if loose.iter().any(|p| vcs_without_ref(p)) {
                    "pin with ==<version>, or @<tag> on a VCS URL"
                } else {
                    "pin with ==<version> or use a requirements file"
                };
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!("{} installed without a version ({how})", list(&loose)),
                ));
            }
        }
    }
}
