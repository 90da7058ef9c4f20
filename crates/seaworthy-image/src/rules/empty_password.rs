use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags accounts in `/etc/shadow` with an empty password field: anyone can log in as them
    /// (or `su` to them) without a password.
    ///
    /// ## Why
    /// A passwordless account turns any local code execution or exposed login service into that
    /// account, root included.
    ///
    /// ## Fix
    /// Lock the account: `RUN passwd -l USER` (or `usermod -p '*' USER`).
    EmptyPassword {
        id: "SW-IMG-009",
        name: "empty-password",
        title: "Account with an empty password",
        area: Image,
        group: "user",
        severity: High,
        remediation: "Lock accounts without a password (passwd -l USER).",
        refs: [Dockle("DKL-LI-0001")],
        fire: [
            "file etc/shadow 640 root::19000:0:99999:7:::\\ndaemon:*:19000:0:99999:7:::\\n\n",
        ],
        quiet: [
            "file etc/shadow 640 root:*:19000:0:99999:7:::\\napp:!:19000:0:99999:7:::\\n\n",
            "file etc/passwd 644 root:x:0:0:root:/root:/bin/sh\\n\n",
        ],
    }
}

impl Check for EmptyPassword {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let Some((text, layer)) = image.text("etc/shadow") else {
            return;
        };
        for line in text.lines() {
            let mut fields = line.split(':');
            let (Some(user), Some(password)) = (fields.next(), fields.next()) else {
                continue;
            };
            if !user.is_empty() && password.is_empty() {
                out.push(Hit {
                    message: format!("account `{user}` has an empty password"),
                    path: Some("etc/shadow".into()),
                    layer: Some(layer),
                    evidence: Some(format!("{user}::…")),
                    ..Hit::default()
                });
            }
        }
    }
}
