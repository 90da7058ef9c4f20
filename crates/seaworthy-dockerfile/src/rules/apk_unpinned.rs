use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{apk_add, list, unpinned};

seaworthy_core::declare_rule! {
    /// Flags `apk add` of packages without a version constraint (`curl` instead of
    /// `curl=8.9.1-r0` or `curl~8.9`).
    ///
    /// Any constraint counts (`=`, `~`, `<`, `>`); the `--virtual` name, `.apk` files and paths
    /// are not packages from a repository. Arguments that come from variables are checked when
    /// their ARG or ENV value is known.
    ///
    /// ## Why
    /// Without a version each build installs whatever the Alpine branch has that day, so two
    /// builds of one Dockerfile can differ and a new release can break the image unnoticed.
    /// Alpine keeps only the latest revision of a package in a branch, so exact pins (`=`) break
    /// when it is replaced; a fuzzy pin (`~8.9`) keeps the minor version and still takes security
    /// fixes.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apk add --no-cache curl
    /// # good
    /// RUN apk add --no-cache curl~8.9
    /// ```
    ApkUnpinned {
        id: "SW-DF-020",
        name: "apk-add-unpinned",
        title: "apk add without package versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each package: apk add <package>=<version> or <package>~<version>.",
        refs: [Hadolint("DL3018")],
        fire: [
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps \\\n      gcc~13 \\\n      musl-dev \\\n && apk del .build-deps\n",
            "FROM alpine:3.20\nRUN sh -c \"apk add --no-cache tini bash=5.2.26-r0\"\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0 'bash>5' tzdata~2024\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --virtual .deps gcc=13.2.1_git20240309-r0\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --allow-untrusted /tmp/pkgs/*.apk ./local.apk\n",
            "FROM alpine:3.20\nRUN apk add --no-cache $runDeps\n",
            "FROM alpine:3.20\nRUN apk del .build-deps\n",
        ],
    }
}

fn pinned(pkg: &str) -> bool {
    pkg.contains(['=', '~', '<', '>']) || pkg.ends_with(".apk")
}

impl Check for ApkUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let Some(call) = apk_add(cmd) else { continue };
            let loose = unpinned(cx, run, &call.operands, pinned);
            if loose.is_empty() {
                continue;
            }
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "{} added without a version (pin with <package>=<version> or ~<version>)",
                    list(&loose)
                ),
            ));
        }
    }
}
