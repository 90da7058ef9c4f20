use crate::rules::{Check, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, Subject};

seaworthy_core::declare_rule! {
    /// Flags containers whose processes run as root: the user is `root` or `0` (with or without
    /// a group: `0:0`, `root:app`). A running container's user is inspect's `Config.User`, the
    /// run's `--user` or else the image's `USER` (the engine merges them), so an empty one means
    /// root. A compose service without `user:` and a `docker run` without `--user` run as the
    /// image's `USER`, which the file or command line does not show: there the rule fires only
    /// on an explicit root user and reports the rest as info (`seaworthy image` checks the
    /// image's `USER`, SW-IMG-001).
    ///
    /// ## Why
    /// Root in the container is root on the host's kernel (unless the daemon remaps user
    /// namespaces): a kernel or runtime escape is a host compromise, a mounted host path is
    /// writable as root, and the process can rewrite every file of its own filesystem. An image
    /// built with a non-root `USER` is turned back into root by `--user 0` or `user: root`.
    ///
    /// ## Fix
    /// Run as an unprivileged UID: set `USER 10001` in the image and leave `--user`/`user:`
    /// unset, or set them to a non-root UID (and GID).
    ///
    /// ## Example
    /// Bad: `docker run --user 0 app`, or `docker run app` with an image that has no `USER`;
    /// compose `services: {app: {image: app, user: root}}`.
    /// Good: `docker run --user 10001:10001 app`; compose
    /// `services: {app: {image: app, user: "10001:10001"}}`.
    RootUser {
        id: "SW-CTR-USER-001",
        name: "container-user-root",
        title: "Container runs as root",
        area: Container,
        group: "privilege",
        severity: Medium,
        remediation: "Run as a non-root UID: `docker run --user 10001:10001` (compose `user: \"10001:10001\"`), or create a user in the image (`USER 10001`) and leave `--user`/`user:` unset.",
        refs: [Dockle("CIS-DI-0001")],
        fire: [
            "docker run --user 0 alpine",
            "docker run -u root:root alpine",
            "services:\n  web:\n    image: nginx\n    user: root\n",
            "services:\n  web:\n    image: nginx\n    user: \"0:1000\"\n",
        ],
        quiet: [
            "docker run alpine",
            "docker run --user 1000 alpine",
            "services:\n  web:\n    image: nginx\n",
            "services:\n  web:\n    image: nginx\n    user: \"10001:0\"\n",
        ],
        extra: Setting {
            inspect: "Config.User",
            compose: "user",
            flag: "--user",
        },
    }
}

/// The user part of `user[:group]` is root (an empty one is root too: the engine's default).
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name.is_empty() || name == "root" || name == "0"
}

impl Check for RootUser {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let running = matches!(spec.subject, Subject::Running { .. });
        let user = spec.user.as_ref().filter(|u| !u.value.trim().is_empty());
        match user {
            Some(u) if is_root(&u.value) => {
                Verdict::warn(format!("the container runs as root (`{}`)", u.value))
                    .field(&u.at, u.value.clone())
            }
            Some(u) => Verdict::pass(format!("the container runs as `{}`", u.value))
                .field(&u.at, u.value.clone()),
            None if running => Verdict::warn(
                "no user is set, neither by the run nor by the image: the container runs as root",
            ),
            None => Verdict::info(
                "no user is set here: the image's USER decides (checked with the image, \
                 SW-IMG-001)",
            ),
        }
    }
}
