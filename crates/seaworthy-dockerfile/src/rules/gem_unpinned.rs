use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{gem_install, list, unpinned};

seaworthy_core::declare_rule! {
    /// Flags `gem install` of gems without a version (`rails` instead of `rails:7.2.1` or
    /// `rails -v 7.2.1`).
    ///
    /// `-v`/`--version` pins every gem of the command; local `.gem` files are not fetched.
    ///
    /// ## Why
    /// Without a version each build installs the newest release on rubygems.org that day: builds
    /// stop being reproducible and a breaking or hijacked release goes straight into the image.
    /// Applications should install from a `Gemfile.lock` with `bundle install` instead.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN gem install bundler
    /// # good
    /// RUN gem install bundler:2.5.22
    /// ```
    GemUnpinned {
        id: "SW-DF-023",
        name: "gem-unpinned",
        title: "gem install without versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each gem (gem install <gem>:<version>, or -v <version>), or use bundle install with a Gemfile.lock.",
        refs: [Hadolint("DL3028")],
        fire: [
            "FROM ruby:3.3\nRUN gem install bundler\n",
            "FROM ruby:3.3\nRUN gem install --no-document \\\n      rake:13.2.1 \\\n      rubocop\n",
        ],
        quiet: [
            "FROM ruby:3.3\nRUN gem install bundler:2.5.22 rake:13.2.1\n",
            "FROM ruby:3.3\nRUN gem install bundler -v 2.5.22 --no-document\n",
            "FROM ruby:3.3\nRUN gem install rails --version '~> 7.2' && gem install ./vendor/tool-1.0.gem\n",
            "FROM ruby:3.3\nRUN gem install mysql2:0.5.6 -- --with-mysql-config=/usr/bin/mysql_config\n",
        ],
    }
}

fn pinned(gem: &str) -> bool {
    gem.contains(':') || gem.ends_with(".gem")
}

impl Check for GemUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let Some(call) = gem_install(cmd) else {
                continue;
            };
            if cmd.flag_value(&["-v", "--version"]).is_some() {
                continue;
            }
            let loose = unpinned(cx, run, &call.operands, pinned);
            if loose.is_empty() {
                continue;
            }
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "{} installed without a version (pin with <gem>:<version> or -v)",
                    list(&loose)
                ),
            ));
        }
    }
}
