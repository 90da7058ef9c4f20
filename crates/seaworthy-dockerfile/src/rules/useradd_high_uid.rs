use crate::context::{Context, Hit};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `useradd` with a UID above 99999 and without `-l`/`--no-log-init`. Variables in the
    /// UID are expanded from ARG and ENV.
    ///
    /// ## Why
    /// useradd records the new user in `/var/log/lastlog` and `/var/log/faillog`, which are
    /// sparse files indexed by UID. Docker's layer tar does not keep them sparse, so a UID of
    /// 1 000 000 adds hundreds of megabytes of zeros to the image (shadow-utils bug #11).
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN useradd -u 1000000 app
    /// # good
    /// RUN useradd --no-log-init -u 1000000 app
    /// ```
    UseraddHighUid {
        id: "SW-DF-038",
        name: "useradd-high-uid",
        title: "useradd with a high UID and without -l",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Add -l (--no-log-init) to useradd, or use a UID below 100000.",
        refs: [Hadolint("DL3046")],
        fire: [
            "FROM debian:12\nRUN groupadd -g 1000000 app \\\n && useradd -u 1000000 -g app -m app\n",
            "FROM debian:12\nARG APP_UID=2000000\nRUN useradd --uid=${APP_UID} app\n",
        ],
        quiet: [
            "FROM debian:12\nRUN useradd -l -u 1000000 app\n",
            "FROM debian:12\nRUN useradd --no-log-init --uid 1000000 app && useradd -u 10001 svc\n",
            "FROM debian:12\nRUN useradd -u \"$UID\" app\n",
        ],
    }
}

impl Check for UseraddHighUid {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if !cmd.is("useradd") || cmd.has_flag(&["-l", "--no-log-init"]) {
                continue;
            }
            let Some(raw) = cmd.flag_value(&["-u", "--uid"]) else {
                continue;
            };
            let uid = cx.expand(run.instr, raw);
            let uid = uid.trim();
            if uid.is_empty() || !uid.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let big = uid.trim_start_matches('0').len() > 5;
            if big {
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "useradd with UID {uid} and without -l writes sparse lastlog/faillog \
                         entries that bloat the layer"
                    ),
                ));
            }
        }
    }
}
