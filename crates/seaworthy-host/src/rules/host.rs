//! CIS 1.1.1, 1.1.2, 1.2.1, 1.2.2: partition, docker group, hardening and version.

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict, daemon};
use crate::hostfiles::mount_of;

/// The data root: what the daemon reports, else the configuration, else the default.
pub(crate) fn data_root(f: &HostFacts) -> (String, String) {
    let s = f
        .config
        .get_or("data-root", serde_json::json!("/var/lib/docker"));
    (s.display(), s.source)
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the Docker data root is on its own filesystem, not on `/`.\n\n## Why\nImages, containers and volumes grow; on the root filesystem they can fill it and stop the host.\n\n## Fix\nCreate a partition (or LVM volume) and mount it at `/var/lib/docker` (or the configured `data-root`) in `/etc/fstab`.\n\nInside a container the host's mounts are not visible: the check is not applicable there (run with `--root /host`)."]
    DataRootPartition {
        id: "SW-HOST-1.1.1",
        name: "data-root-partition",
        title: "Ensure a separate partition for containers has been created",
        area: Host,
        group: "host",
        severity: Low,
        remediation: "Put the Docker data root (/var/lib/docker or `data-root`) on its own partition or logical volume, mounted before dockerd starts.",
        refs: [Cis("1.1.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "mount:data-root",
            check: |f| {
                if let Some(why) = &f.files.in_container {
                    return Verdict::not_applicable(format!("seaworthy runs inside a container ({why}); mount the host and use --root"))
                        .with(why.clone(), "container markers");
                }
                let (root, source) = data_root(f);
                let Some(m) = mount_of(&f.files.mounts, &root) else {
                    return Verdict::info("the mount table could not be read").with(format!("data-root={root}"), source);
                };
                let v = if m.mountpoint == "/" {
                    Verdict::warn(format!("{root} is on the root filesystem"))
                } else {
                    Verdict::pass(format!("{root} is on {} ({}, {})", m.mountpoint, m.device, m.fstype))
                };
                v.with(format!("data-root={root}"), source)
                    .with(format!("{} on {} type {}", m.device, m.mountpoint, m.fstype), "/proc/mounts")
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Lists the members of the `docker` group.\n\n## Why\nWhoever can use the Docker socket is root on the host (`docker run -v /:/host`).\n\n## Fix\nKeep the group empty or limited to administrators; review every member listed as evidence. Members are reported as `info`: only you know whom to trust."]
    DockerGroupMembers {
        id: "SW-HOST-1.1.2",
        name: "docker-group-members",
        title: "Ensure only trusted users are allowed to control Docker daemon",
        area: Host,
        group: "host",
        severity: Medium,
        remediation: "Remove users who should not have root-equivalent access from the docker group: `gpasswd -d USER docker`.",
        refs: [Cis("1.1.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/group:docker",
            check: |f| match &f.files.docker_group {
                None => Verdict::pass("there is no docker group").with("no docker group", "/etc/group"),
                Some((_, m)) if m.is_empty() => Verdict::pass("the docker group has no members").with("docker:(none)", "/etc/group"),
                Some((gid, m)) => Verdict::info(format!("{} user(s) can control the daemon: review them", m.len()))
                    .with(format!("docker:x:{gid}:{}", m.join(",")), "/etc/group"),
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the host OS and kernel.\n\n## Why\nContainers share the host kernel; a weak host weakens every container.\n\n## Fix\nApply the CIS benchmark of the host OS, keep the kernel patched, and see the host packages report of `seaworthy host`."]
    HostHardened {
        id: "SW-HOST-1.2.1",
        name: "host-hardened",
        title: "Ensure the container host has been Hardened",
        area: Host,
        group: "host",
        severity: Info,
        remediation: "Harden the host per your OS's CIS benchmark; run only what the host needs.",
        refs: [Cis("1.2.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "host:os",
            check: |f| match daemon(f) {
                Ok(d) => Verdict::info(format!("{} with kernel {}", d.operating_system, d.kernel_version))
                    .with(d.operating_system.clone(), "GET /info (OperatingSystem)")
                    .with(d.kernel_version.clone(), "GET /info (KernelVersion)"),
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the server version.\n\n## Why\nOld engines carry known vulnerabilities.\n\n## Fix\nCompare the version with the supported releases of your distribution or of Docker, and upgrade."]
    DockerVersion {
        id: "SW-HOST-1.2.2",
        name: "docker-version",
        title: "Ensure that the version of Docker is up to date",
        area: Host,
        group: "host",
        severity: Info,
        remediation: "Upgrade Docker Engine to a supported release.",
        refs: [Cis("1.2.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "daemon:version",
            check: |f| match daemon(f) {
                Ok(d) => Verdict::info(format!("Docker Engine {} (API {})", d.server_version, d.api_version))
                    .with(d.server_version.clone(), "GET /info (ServerVersion)"),
                Err(v) => v,
            },
        },
    }
}
