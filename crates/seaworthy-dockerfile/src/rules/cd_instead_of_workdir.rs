use crate::context::{Context, Hit};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `cd` used to change the directory for the commands after it in a RUN, where
    /// WORKDIR says it once for every later instruction. `cd` inside a subshell
    /// (`( cd src && make )`), a `sh -c` string or a function is not reported: it does not leak.
    ///
    /// ## Why
    /// The directory a `cd` sets is forgotten at the end of the RUN, so the next RUN, COPY or
    /// CMD silently runs elsewhere. Chains of `cd a && … && cd ../b` are hard to read and
    /// break when one path changes. WORKDIR is explicit and also creates the directory.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN cd /usr/src/app && make && make install
    /// # good
    /// WORKDIR /usr/src/app
    /// RUN make && make install
    /// ```
    CdInsteadOfWorkdir {
        id: "SW-DF-032",
        name: "cd-instead-of-workdir",
        title: "cd used instead of WORKDIR",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Set the directory with WORKDIR, or keep the cd inside a subshell: ( cd dir && make ).",
        refs: [Hadolint("DL3003"), Trivy("DS-0013")],
        fire: [
            "FROM golang:1.22\nRUN git clone https://example.com/app.git /src \\\n && cd /src \\\n && go build ./...\n",
            "FROM debian:12\nRUN <<EOF\nset -e\ncd /opt/tool\n./configure && make\nEOF\n",
        ],
        quiet: [
            "FROM golang:1.22\nWORKDIR /src\nRUN go build ./...\n",
            "FROM debian:12\nRUN (cd /opt/tool && ./configure && make) && rm -rf /opt/tool\n",
            "FROM debian:12\nRUN sh -c 'cd /tmp && ls'\n",
            "FROM debian:12\nRUN echo cd /tmp\n",
        ],
    }
}

impl Check for CdInsteadOfWorkdir {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let first = run.script.commands.iter().find(|c| {
                c.is("cd") && !c.nested && c.positional().next().is_some_and(|d| d != "-")
            });
            if let Some(cmd) = first {
                let dir = cmd.positional().next().unwrap_or_default();
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`cd {dir}` changes directory only until the end of this RUN; use \
                         WORKDIR {dir}"
                    ),
                ));
            }
        }
    }
}
