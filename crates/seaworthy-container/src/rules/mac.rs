//! Mandatory access control and syscall filtering: AppArmor (5.2), SELinux (5.3), seccomp (5.22).

use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict, security_opts};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers without an AppArmor profile on a host that enforces AppArmor: an
    /// explicit `apparmor=unconfined`, a privileged container (which runs unconfined) or, for a
    /// running container, an empty profile. Not applicable when the host has no AppArmor.
    ///
    /// ## Why
    /// The `docker-default` profile denies writes to `/proc` and `/sys` files and mounts that
    /// container escapes rely on.
    ///
    /// ## Fix
    /// Keep the default profile or name your own.
    ///
    /// ## Example
    /// Bad: `docker run --security-opt apparmor=unconfined app`; compose
    /// `services: {app: {security_opt: ["apparmor:unconfined"]}}`.
    /// Good: `docker run --security-opt apparmor=docker-default app`; compose
    /// `services: {app: {security_opt: ["apparmor:docker-default"]}}` (or no option at all).
    AppArmor {
        id: "SW-CTR-5.2",
        name: "container-apparmor",
        title: "AppArmor profile disabled",
        area: Container,
        group: "confinement",
        severity: High,
        remediation: "Remove `--security-opt apparmor=unconfined` (compose `security_opt: [\"apparmor:unconfined\"]`); keep `docker-default` or set `--security-opt apparmor=<profile>` / `security_opt: [\"apparmor:<profile>\"]`.",
        refs: [Cis("5.2")],
        fire: [
            "docker run --security-opt apparmor=unconfined alpine",
            "docker run --privileged alpine",
            "services:\n  app:\n    image: app\n    security_opt:\n      - apparmor:unconfined\n",
        ],
        quiet: [
            "docker run alpine",
            "docker run --security-opt apparmor=my-profile alpine",
            "@apparmor=off\ndocker run --security-opt apparmor=unconfined alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "AppArmorProfile",
                compose: "security_opt",
                flag: "--security-opt",
            },
        },
    }
}

impl Check for AppArmor {
    fn check(&self, spec: &ContainerSpec, ctx: &Context) -> Verdict {
        if ctx.apparmor == Some(false) {
            return Verdict::not_applicable("the host does not enforce AppArmor");
        }
        if let Some(o) = security_opts(spec).find(|o| o.key == "apparmor") {
            if o.value == "unconfined" {
                return Verdict::warn("the AppArmor profile is disabled (unconfined)")
                    .field(o.at, o.raw);
            }
            return Verdict::pass(format!("AppArmor profile `{}`", o.value)).field(o.at, o.raw);
        }
        if let Some(p) = spec.privileged.as_ref().filter(|p| p.value) {
            return Verdict::warn("a privileged container runs without AppArmor confinement")
                .field(&p.at, "true")
                .remediation(
                    "Remove `--privileged` (compose `privileged: true`), which also lifts \
                     AppArmor confinement; grant only the capabilities and devices the \
                     container needs (`--cap-add`, `--device`).",
                );
        }
        match &spec.apparmor_profile {
            Some(p) if p.value.is_empty() || p.value == "unconfined" => {
                Verdict::warn("the container runs without an AppArmor profile")
                    .field(&p.at, p.value.clone())
            }
            Some(p) => Verdict::pass(format!("AppArmor profile `{}`", p.value))
                .field(&p.at, p.value.clone()),
            None => Verdict::pass("the engine's default AppArmor profile applies"),
        }
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers whose SELinux labelling is switched off (`label=disable`), and, on a
    /// daemon with SELinux enabled, containers without SELinux options. Not applicable when the
    /// daemon has SELinux off or, before deploy, when the host is unknown and no option is set.
    ///
    /// ## Why
    /// SELinux types keep a container process from host files even after a breakout.
    ///
    /// ## Fix
    /// Run the daemon with `--selinux-enabled` and set a label for the container.
    ///
    /// ## Example
    /// Bad: `docker run --security-opt label=disable app`; compose
    /// `services: {app: {security_opt: ["label:disable"]}}`.
    /// Good: `docker run --security-opt label=level:s0:c100,c200 app`; compose
    /// `services: {app: {security_opt: ["label:level:s0:c100,c200"]}}`.
    SeLinux {
        id: "SW-CTR-5.3",
        name: "container-selinux",
        title: "SELinux security options not set",
        area: Container,
        group: "confinement",
        severity: Medium,
        remediation: "Remove `--security-opt label=disable` (compose `security_opt: [\"label:disable\"]`); on an SELinux host set `--security-opt label=type:<type>` / `security_opt: [\"label:type:<type>\"]`.",
        refs: [Cis("5.3")],
        fire: [
            "docker run --security-opt label=disable alpine",
            "@selinux=on\ndocker run alpine",
            "services:\n  app:\n    image: app\n    security_opt: [\"label:disable\"]\n",
        ],
        quiet: [
            "docker run alpine",
            "@selinux=on\ndocker run --security-opt label=level:s0:c100,c200 alpine",
            "@selinux=off\ndocker run --security-opt label=disable alpine",
        ],
        extra: Cis {
            level: Level::L2,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.SecurityOpt",
                compose: "security_opt",
                flag: "--security-opt",
            },
        },
    }
}

impl Check for SeLinux {
    fn check(&self, spec: &ContainerSpec, ctx: &Context) -> Verdict {
        if ctx.selinux == Some(false) {
            return Verdict::not_applicable("the daemon does not run with SELinux");
        }
        let labels: Vec<_> = security_opts(spec).filter(|o| o.key == "label").collect();
        if let Some(o) = labels.iter().find(|o| o.value == "disable") {
            return Verdict::warn("SELinux labelling is disabled").field(o.at, o.raw);
        }
        if let Some(o) = labels.first() {
            return Verdict::pass("SELinux options set").field(o.at, o.raw);
        }
        if ctx.selinux == Some(true) {
            return Verdict::warn("no SELinux options on a daemon with SELinux enabled");
        }
        Verdict::not_applicable("no SELinux options; whether the host uses SELinux is not known")
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers that run without the default seccomp profile (`seccomp=unconfined`).
    ///
    /// ## Why
    /// The default profile blocks about 44 system calls (`keyctl`, `add_key`, `unshare`,
    /// `kexec_load`, …) that kernel exploits use.
    ///
    /// ## Fix
    /// Keep the default profile, or give a stricter one.
    ///
    /// ## Example
    /// Bad: `docker run --security-opt seccomp=unconfined app`; compose
    /// `services: {app: {security_opt: ["seccomp:unconfined"]}}`.
    /// Good: `docker run app` or `docker run --security-opt seccomp=/etc/docker/strict.json app`;
    /// compose `services: {app: {security_opt: ["seccomp:/etc/docker/strict.json"]}}`.
    Seccomp {
        id: "SW-CTR-5.22",
        name: "container-seccomp-unconfined",
        title: "Seccomp profile disabled",
        area: Container,
        group: "confinement",
        severity: High,
        remediation: "Remove `--security-opt seccomp=unconfined` (compose `security_opt: [\"seccomp:unconfined\"]`); keep the default profile or pass a stricter one with `--security-opt seccomp=<file>` / `security_opt: [\"seccomp:<file>\"]`.",
        refs: [Cis("5.22")],
        fire: [
            "docker run --security-opt seccomp=unconfined alpine",
            "services:\n  app:\n    image: app\n    security_opt:\n      - seccomp:unconfined\n",
        ],
        quiet: [
            "docker run alpine",
            "docker run --security-opt seccomp=/etc/docker/strict.json alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.SecurityOpt",
                compose: "security_opt",
                flag: "--security-opt",
            },
        },
    }
}

impl Check for Seccomp {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match security_opts(spec).find(|o| o.key == "seccomp") {
            Some(o) if o.value == "unconfined" => {
                Verdict::warn("the seccomp filter is disabled").field(o.at, o.raw)
            }
            Some(o) => Verdict::pass("a custom seccomp profile is set").field(o.at, o.raw),
            None => Verdict::pass("the default seccomp profile applies"),
        }
    }
}
