use crate::context::{Context, Hit, RunScript};
use crate::parser::Kind;
use crate::rules::Check;
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags permissions that let any user write: `chmod 777`, `chmod -R 0666`, `chmod o+w`,
    /// `chmod a+rwX`, `mkdir -m 777`, `install -m 666`, `umask 000`, and COPY/ADD
    /// `--chmod=777`. Directories with the sticky bit (`chmod 1777 /scratch`) are the usual
    /// shared-temp pattern and are not reported, nor are paths the same RUN deletes afterwards.
    ///
    /// ## Why
    /// Any process in the container, whatever its user, can then replace the files: a
    /// compromised low-privilege service can plant code that a root process or the next user
    /// of the image runs. World-writable bits also survive into every image built on this one.
    ///
    /// ## Fix
    /// Give ownership to the user that needs to write, and keep the mode tight.
    /// ```dockerfile
    /// # bad
    /// RUN mkdir /data && chmod -R 777 /data
    /// # good
    /// RUN mkdir /data && chown -R app:app /data && chmod 750 /data
    /// ```
    WorldWritable {
        id: "SW-DF-033",
        name: "world-writable-permissions",
        title: "World-writable file permissions",
        area: Dockerfile,
        group: "run",
        severity: Medium,
        remediation: "chown the path to the user that writes it and use a mode without the other-write bit (e.g. 755/644, or 1777 for shared temp dirs).",
        refs: [],
        fire: [
            "FROM debian:12\nRUN mkdir -p /var/lib/app \\\n && chmod -R 0777 /var/lib/app\n",
            "FROM debian:12\nRUN chmod -R a+rwX \"$APP_HOME\" && umask 000\n",
            "FROM alpine:3.20\nCOPY --chmod=666 config.yml /etc/app/\n",
            "FROM debian:12\nRUN [\"mkdir\", \"-m\", \"777\", \"/shared\"]\n",
        ],
        quiet: [
            "FROM debian:12\nRUN mkdir /scratch && chmod 1777 /scratch\n",
            "FROM debian:12\nRUN chmod 755 /usr/local/bin/app && chmod go-w /etc/app && chmod +x run.sh\n",
            "FROM debian:12\nRUN tempDir=\"$(mktemp -d)\" && chmod 777 \"$tempDir\" \\\n && make -C \"$tempDir\" && rm -rf \"$tempDir\"\n",
            "FROM alpine:3.20\nCOPY --chmod=755 entrypoint.sh /usr/local/bin/\nRUN umask 022\n",
        ],
    }
}

/// Whether a chmod-style mode (octal or symbolic) grants write to others.
pub(crate) fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let Ok(bits) = u32::from_str_radix(mode, 8) else {
            return false;
        };
        return bits & 0o002 != 0 && bits & 0o1000 == 0;
    }
    mode.split(',').any(|clause| {
        let who: String = clause
            .chars()
            .take_while(|c| matches!(c, 'u' | 'g' | 'o' | 'a'))
            .collect();
        if !(who.contains('o') || who.contains('a')) {
            return false;
        }
        let rest = clause.get(who.len()..).unwrap_or_default();
        let mut writes = false;
        let mut op = ' ';
        for c in rest.chars() {
            match c {
                '+' | '-' | '=' => op = c,
                'w' if op == '+' || op == '=' => writes = true,
                'r' | 'w' | 'x' | 'X' | 's' | 't' | 'u' | 'g' | 'o' => {}
                _ => return false,
            }
        }
        writes && !rest.contains('t')
    })
}

/// Whether every one of `paths` is removed by a later `rm` of the same script.
fn removed_later(run: &RunScript, cmd: &ShellCommand, paths: &[&str]) -> bool {
    !paths.is_empty()
        && paths.iter().all(|p| {
            run.script
                .commands
                .iter()
                .filter(|c| c.is("rm") && c.start > cmd.start)
                .any(|c| c.positional().any(|a| a == *p))
        })
}

impl WorldWritable {
    fn chmod(&self, cx: &Context<'_>, run: &RunScript, cmd: &ShellCommand, out: &mut Vec<Hit>) {
        let mut positional = cmd.args.iter().filter(|a| {
            // Options are skipped; `-w`-style symbolic modes are kept.
            !a.starts_with('-') || (a.len() > 1 && a.chars().skip(1).all(|c| "rwxXst".contains(c)))
        });
        let Some(mode) = positional.next() else {
            return;
        };
        let targets: Vec<&str> = positional.map(String::as_str).collect();
        if !world_writable(mode) || removed_later(run, cmd, &targets) {
            return;
        }
        let what = targets.first().map_or("the files".to_string(), |t| {
            let more = if targets.len() > 1 { " and more" } else { "" };
            format!("`{t}`{more}")
        });
        let recursive = if cmd.has_flag(&["-R", "--recursive"]) {
            " and everything under it"
        } else {
            ""
        };
        out.push(cx.hit_cmd(
            run,
            cmd,
            format!("`chmod {mode}` lets any user write {what}{recursive}"),
        ));
    }

    fn mode_flag(&self, cx: &Context<'_>, run: &RunScript, cmd: &ShellCommand, out: &mut Vec<Hit>) {
        let Some(mode) = cmd.flag_value(&["-m", "--mode"]) else {
            return;
        };
        if !world_writable(mode) {
            return;
        }
        let target = cmd.positional().last().unwrap_or("the target");
        out.push(cx.hit_cmd(
            run,
            cmd,
            format!(
                "`{} -m {mode}` creates `{target}` writable by any user",
                cmd.name
            ),
        ));
    }

    fn umask(&self, cx: &Context<'_>, run: &RunScript, cmd: &ShellCommand, out: &mut Vec<Hit>) {
        let Some(mask) = cmd.positional().next() else {
            return;
        };
        if mask.is_empty() || mask.len() > 4 || !mask.chars().all(|c| ('0'..='7').contains(&c)) {
            return;
        }
        let Ok(bits) = u32::from_str_radix(mask, 8) else {
            return;
        };
        if bits & 0o002 == 0 {
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!("`umask {mask}` makes every file created after it writable by any user"),
            ));
        }
    }
}

impl Check for WorldWritable {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            match cmd.name.as_str() {
                "chmod" => self.chmod(cx, run, cmd, out),
                "mkdir" | "install" => self.mode_flag(cx, run, cmd, out),
                "umask" => self.umask(cx, run, cmd, out),
                _ => {}
            }
        }
        for (i, ins) in cx.instructions() {
            if !matches!(ins.kind, Kind::Copy(_) | Kind::Add(_)) {
                continue;
            }
            let Some(flag) = ins.flag("chmod") else {
                continue;
            };
            let Some(raw) = flag.value.as_deref() else {
                continue;
            };
            let mode = cx.expand(i, raw);
            if world_writable(&mode) {
                out.push(cx.hit_at(
                    i,
                    flag.range,
                    format!(
                        "{} --chmod={mode} makes the copied files writable by any user",
                        ins.keyword.as_str()
                    ),
                ));
            }
        }
    }
}
