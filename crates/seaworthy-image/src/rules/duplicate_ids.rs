use std::collections::BTreeMap;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags user ids shared by several accounts in `/etc/passwd` and group ids shared by several
    /// groups in `/etc/group`.
    ///
    /// ## Why
    /// Files and processes are owned by numbers. Two names for one number (a second uid 0 above
    /// all) grant one account everything the other owns, and audits that read names miss it.
    ///
    /// ## Fix
    /// Give every account and group its own id; remove the extra entries.
    DuplicateIds {
        id: "SW-IMG-010",
        name: "duplicate-ids",
        title: "User or group id used twice",
        area: Image,
        group: "user",
        severity: Medium,
        remediation: "Give every account and group a unique id.",
        refs: [Dockle("DKL-LI-0002")],
        fire: [
            "file etc/passwd 644 root:x:0:0:root:/root:/bin/sh\\ntoor:x:0:0::/root:/bin/sh\\n\n",
            "file etc/group 644 root:x:0:\\nstaff:x:50:\\nadmins:x:50:\\n\n",
        ],
        quiet: [
            "file etc/passwd 644 root:x:0:0:root:/root:/bin/sh\\napp:x:10001:10001::/app:/sbin/nologin\\n\n",
            "file etc/group 644 root:x:0:\\nstaff:x:50:\\n\n",
        ],
    }
}

fn duplicates(image: &Subject<'_>, path: &str, what: &str, out: &mut Vec<Hit>) {
    let Some((text, layer)) = image.text(path) else {
        return;
    };
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split(':').collect();
        if let (Some(name), Some(id)) = (fields.first(), fields.get(2))
            && !name.is_empty()
            && !id.is_empty()
        {
            by_id.entry(id).or_default().push(name);
        }
    }
    for (id, names) in by_id.into_iter().filter(|(_, n)| n.len() > 1) {
        out.push(Hit {
            message: format!("{what} id {id} is shared by {}", names.join(", ")),
            path: Some(path.to_string()),
            layer: Some(layer),
            evidence: Some(format!("{id}: {}", names.join(", "))),
            ..Hit::default()
        });
    }
}

impl Check for DuplicateIds {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        duplicates(image, "etc/passwd", "user", out);
        duplicates(image, "etc/group", "group", out);
    }
}
