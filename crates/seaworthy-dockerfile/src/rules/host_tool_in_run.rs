use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags commands that make no sense in an image build: interactive programs (`ssh`, `vim`,
    /// `nano`, `top`), service and power management (`service`, `systemctl start`, `shutdown`,
    /// `reboot`) and host tools (`mount`, `ifconfig`, `ps`, `free`, `kill`).
    ///
    /// A build step has no terminal, no init system and no privileges to mount or reconfigure
    /// the network; `systemctl enable`/`mask` (which only write symlinks) and editors run
    /// headless (`vim -es`, `vim +PlugInstall +qall`) are not reported.
    ///
    /// ## Why
    /// These commands hang waiting for input, fail, or act on the build container rather than
    /// on the one that will run later (a service started in RUN is gone when the step ends).
    /// They usually mean a manual setup was pasted into the Dockerfile.
    ///
    /// ## Fix
    /// Start services from the ENTRYPOINT/CMD (or a supervisor), configure files directly, and
    /// keep interactive tools out of the build.
    /// ```dockerfile
    /// # bad
    /// RUN service nginx start
    /// # good
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    HostToolInRun {
        id: "SW-DF-034",
        name: "interactive-or-host-command",
        title: "Interactive or host-only command in RUN",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Remove the command from the build: start services from CMD/ENTRYPOINT and edit files non-interactively.",
        refs: [Hadolint("DL3001")],
        fire: [
            "FROM ubuntu:24.04\nRUN apt-get install -y mysql-server \\\n && service mysql start && mysql -e 'CREATE DATABASE app'\n",
            "FROM debian:12\nRUN <<EOF\nsystemctl restart ssh\nmount -t tmpfs none /mnt\nEOF\n",
            "FROM debian:12\nRUN [\"vim\", \"/etc/app.conf\"]\n",
        ],
        quiet: [
            "FROM debian:12\nRUN systemctl enable nginx && systemctl mask getty.target\n",
            "FROM debian:12\nRUN vim -es -c 'PlugInstall' -c 'qa' && vim +PluginInstall +qall\n",
            "FROM debian:12\nRUN apt-get install -y openssh-client vim procps && ssh-keygen -A\n",
        ],
    }
}

/// Why a command does not belong in a build, or `None` when it is fine.
fn reason(cmd: &ShellCommand) -> Option<&'static str> {
    Some(match cmd.name.as_str() {
        "ssh" | "telnet" => "opens an interactive remote session",
        "vim" | "vi" | "nvim" | "nano" | "emacs" | "pico" | "joe" => {
            let headless = cmd.args.iter().any(|a| {
                a.starts_with('+')
                    || matches!(
                        a.as_str(),
                        "-c" | "-s" | "-e" | "-E" | "-es" | "-Es" | "--headless" | "--batch"
                    )
            });
            if headless {
                return None;
            }
            "is an interactive editor; edit files with sed, a COPY or a heredoc"
        }
        "top" | "htop" => "is an interactive monitor",
        "shutdown" | "reboot" | "halt" | "poweroff" => "acts on a machine, not on an image",
        "service" => "starts or stops a service that is gone when this RUN ends",
        "systemctl" => {
            let sub = cmd.subcommand()?;
            if matches!(
                sub,
                "enable"
                    | "disable"
                    | "mask"
                    | "unmask"
                    | "set-default"
                    | "preset"
                    | "preset-all"
                    | "link"
                    | "add-wants"
                    | "add-requires"
                    | "revert"
                    | "is-enabled"
                    | "cat"
                    | "list-unit-files"
            ) {
                return None;
            }
            "needs a running systemd, which a build step does not have"
        }
        "mount" | "umount" => "needs privileges a build step does not have",
        "ifconfig" => "configures the build container's network",
        "ps" | "free" => "reports on the build container, not the one that will run",
        "kill" | "killall" | "pkill" => "signals processes of the build container",
        _ => return None,
    })
}

impl Check for HostToolInRun {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if let Some(why) = reason(cmd) {
                out.push(cx.hit_cmd(run, cmd, format!("`{}` {why}", cmd.name)));
            }
        }
    }
}
