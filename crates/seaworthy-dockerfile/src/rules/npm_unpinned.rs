use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{list, npm_install, unpinned};

seaworthy_core::declare_rule! {
    /// Flags `npm install <package>` without a version (`typescript` instead of
    /// `typescript@5.6.3`), and the moving tags `@latest` and `@next`.
    ///
    /// `npm install` and `npm ci` without package names install from `package.json` and the
    /// lockfile and are fine. Tarballs, paths, git and other URLs are not registry packages.
    ///
    /// ## Why
    /// A bare name installs whatever version is newest on the registry at build time: builds stop
    /// being reproducible, a breaking major release fails the image, and a hijacked release is
    /// installed without review. Global tools (`npm install -g`) are the usual case.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN npm install -g pnpm
    /// # good
    /// RUN npm install -g pnpm@9.12.3
    /// ```
    NpmUnpinned {
        id: "SW-DF-022",
        name: "npm-unpinned",
        title: "npm install without package versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each package (npm install <package>@<version>), or install from package.json with npm ci.",
        refs: [Hadolint("DL3016")],
        fire: [
            "FROM node:22\nRUN npm install -g pnpm\n",
            "FROM node:22\nRUN npm i --global \\\n      @angular/cli \\\n      typescript@5.6.3\n",
            "FROM node:22\nRUN npm install -g npm@latest\n",
        ],
        quiet: [
            "FROM node:22\nRUN npm ci --omit=dev\n",
            "FROM node:22\nRUN npm install && npm install --production\n",
            "FROM node:22\nRUN npm install -g pnpm@9.12.3 @angular/cli@18.2.0 'eslint@^9'\n",
            "FROM node:22\nRUN npm install ./packages/core https://example.com/x-1.0.0.tgz git+https://github.com/a/b.git#v1\n",
            "FROM node:22\nRUN npm install --loglevel warn --prefix /app\n",
        ],
    }
}

/// The version part of `name@version` (`@scope/name@version` for scoped packages).
fn version(spec: &str) -> Option<&str> {
    let body = spec.strip_prefix('@').unwrap_or(spec);
    body.split_once('@').map(|(_, v)| v)
}

fn pinned(spec: &str) -> bool {
    if spec.ends_with(".tgz") || spec.ends_with(".tar.gz") || spec.contains(':') {
        return true;
    }
    // `user/repo` (GitHub shorthand) is not a registry name.
    if !spec.starts_with('@') && spec.contains('/') {
        return true;
    }
    version(spec).is_some_and(|v| !v.is_empty() && !matches!(v, "latest" | "next"))
}

impl Check for NpmUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let Some(call) = npm_install(cmd) else {
                continue;
            };
            let loose = unpinned(cx, run, &call.operands, pinned);
            if loose.is_empty() {
                continue;
            }
            let tag = loose.iter().any(|p| version(p).is_some());
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "{} installed without a fixed version (pin with <package>@<version>{})",
                    list(&loose),
                    if tag { "; a dist-tag moves" } else { "" }
                ),
            ));
        }
    }
}
