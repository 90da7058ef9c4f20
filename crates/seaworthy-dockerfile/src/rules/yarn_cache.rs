use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{has_cache_mount, install_not_cleaned, operands};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags `yarn install` (or a bare `yarn`, `yarn add`, `yarn global add`) in a RUN that does
    /// not run `yarn cache clean` afterwards.
    ///
    /// Only stages that end up in the shipped image are checked. Removing the yarn cache folder
    /// or a cache mount on it also keep the rule quiet.
    ///
    /// ## Why
    /// Yarn keeps a copy of every package tarball it fetched in its global cache
    /// (`/usr/local/share/.cache/yarn` for root). In an image the cache is never used again but
    /// ships in the layer, often as big as `node_modules` itself.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN yarn install --frozen-lockfile --production
    /// # good
    /// RUN yarn install --frozen-lockfile --production && yarn cache clean
    /// ```
    YarnCache {
        id: "SW-DF-027",
        name: "yarn-cache-not-cleaned",
        title: "yarn install without yarn cache clean",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Run `yarn cache clean` in the same RUN, after the install.",
        refs: [Hadolint("DL3060")],
        fire: [
            "FROM node:22\nRUN yarn install --frozen-lockfile\n",
            "FROM node:22\nRUN yarn global add pm2@5.4.2 \\\n && yarn --production\n",
            "FROM node:22\nRUN yarn cache clean && yarn add left-pad@1.3.0\n",
        ],
        quiet: [
            "FROM node:22\nRUN yarn install --frozen-lockfile && yarn cache clean\n",
            "FROM node:22\nRUN yarn install && rm -rf /usr/local/share/.cache/yarn\n",
            "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
            "FROM node:22 AS build\nRUN yarn install && yarn build\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
            "FROM node:22\nRUN yarn build && yarn test\n",
        ],
    }
}

const YARN_VALUE: &[&str] = &[
    "--cache-folder",
    "--modules-folder",
    "--network-timeout",
    "--cwd",
];

fn is_install(cmd: &ShellCommand) -> bool {
    if !cmd.is("yarn") {
        return false;
    }
    let ops = operands(&cmd.args, YARN_VALUE);
    match ops.as_slice() {
        [] => true,
        [sub, ..] if matches!(*sub, "install" | "add") => true,
        ["global", "add", ..] => true,
        _ => false,
    }
}

fn cleans(cmd: &ShellCommand) -> bool {
    if cmd.is("yarn") {
        let ops = operands(&cmd.args, YARN_VALUE);
        return matches!(ops.as_slice(), ["cache", "clean", ..]);
    }
    cmd.is("rm")
        && cmd.positional().any(|a| {
            a.contains(".cache/yarn") || a.contains("yarn cache dir") || a.contains(".yarn-cache")
        })
}

impl Check for YarnCache {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if has_cache_mount(cx, run, &[], |t| t.contains("yarn")) {
                continue;
            }
            let found = install_not_cleaned(
                cx,
                run,
                &["/usr/local/share/.cache/yarn"],
                is_install,
                cleans,
            );
            if let Some(cmd) = found {
                let what = match operands(&cmd.args, YARN_VALUE).as_slice() {
                    ["global", "add", ..] => "yarn global add".to_string(),
                    [sub, ..] => format!("yarn {sub}"),
                    [] => "yarn".to_string(),
                };
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!("`{what}` leaves the downloaded packages in the yarn cache; no `yarn cache clean` follows in this RUN"),
                ));
            }
        }
    }
}
