use crate::context::{Context, Hit};
use crate::parser::TextRange;
use crate::rules::Check;
use crate::rules::secret_util::find_known;

seaworthy_core::declare_rule! {
    /// Flags credentials in a format that identifies them, anywhere in an instruction (ENV,
    /// ARG, LABEL, RUN, heredocs): AWS access key ids (`AKIA…`, `ASIA…`), GitHub tokens
    /// (`ghp_…`, `gho_…`, `github_pat_…`), GitLab (`glpat-…`), Slack (`xoxb-…`, `xoxp-…`),
    /// Stripe live keys, Google API keys (`AIza…`), npm and PyPI tokens, private key blocks
    /// with their body (`-----BEGIN … PRIVATE KEY-----`), and every other self-identifying
    /// format of the `seaworthy-secrets` catalog (Vault, DigitalOcean, OpenAI, Anthropic, …).
    /// Documentation examples (`AKIAIOSFODNN7EXAMPLE`) are skipped. Only the first four
    /// characters are ever shown.
    ///
    /// ## Why
    /// These are live credentials by construction. Committed to a Dockerfile they are in the
    /// repository's history and, through ENV, ARG or a RUN layer, in the image for anyone who can
    /// pull it. Treat the credential as leaked: revoke it, then remove it.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN git clone https://ghp_…@github.com/org/repo.git
    /// # good
    /// RUN --mount=type=secret,id=gh_token,env=GH_TOKEN \
    ///     git clone "https://x-access-token:${GH_TOKEN}@github.com/org/repo.git"
    /// ```
    KnownCredential {
        id: "SW-DF-068",
        name: "hardcoded-credential",
        title: "Hard-coded credential in a known format",
        area: Dockerfile,
        group: "secrets",
        severity: Critical,
        remediation: "Revoke the credential now, remove it from the Dockerfile and its history, and pass it with RUN --mount=type=secret.",
        refs: [Dockle("CIS-DI-0010"), Cis("4.10")],
        fire: [
            "FROM amazon/aws-cli:2.17\nENV AWS_ACCESS_KEY_ID=AKIAZ7QWERTYUIOPASDF \\\n    AWS_DEFAULT_REGION=eu-west-1\n",
            "FROM alpine/git:2.45\nRUN git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/app.git /src\n",
            "FROM alpine:3.20\nCOPY <<EOF /root/.ssh/id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\nEOF\n",
        ],
        quiet: [
            "FROM amazon/aws-cli:2.17\nENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
            "FROM alpine:3.20\nCOPY server.pub /etc/ssh/\nRUN echo '-----BEGIN PUBLIC KEY-----' > /dev/null\n",
            "FROM alpine:3.20\nRUN --mount=type=secret,id=gh,env=GH_TOKEN git clone \"https://x-access-token:${GH_TOKEN}@github.com/org/app.git\"\n",
        ],
    }
}

impl Check for KnownCredential {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let text = cx.df.slice(ins.range);
            for k in find_known(text) {
                let start = ins.range.start as usize + k.start;
                let end = ins.range.start as usize + k.end;
                out.push(Hit {
                    instr: i,
                    range: TextRange::new(start, end),
                    message: format!(
                        "{} in {} ({}): revoke it and pass it as a build secret",
                        k.kind,
                        ins.keyword.as_str(),
                        k.shown
                    ),
                    evidence: Some(k.shown.clone()),
                });
            }
        }
    }
}
