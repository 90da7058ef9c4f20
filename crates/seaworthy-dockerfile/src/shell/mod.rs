//! RUN analysis: shell text to the commands it runs, so rules ask "is there an `apt-get install`
//! without `-y`", not "does the text contain". bash syntax is parsed by brush-parser; text it
//! rejects (templating, odd dialects) goes through a quote-aware tokenizer instead.

mod from_brush;
mod tokenizer;
mod word;

pub use from_brush::in_guarded_parse;
pub use word::unquote;

/// Scripts above this size are only tokenized (the full parser is not needed to lint them).
const MAX_PARSE_BYTES: usize = 64 * 1024;
/// How deep `$(...)`, `sh -c '...'` and nested blocks are followed.
pub(crate) const MAX_DEPTH: usize = 8;

/// One simple command, wrappers (`sudo`, `env`, `nohup`, …) taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    /// Program name without its directory (`/usr/bin/apt-get` → `apt-get`).
    pub name: String,
    /// Arguments after quote removal.
    pub args: Vec<String>,
    /// Byte range in the script text.
    pub start: usize,
    pub end: usize,
    /// Index into [`Script::pipelines`].
    pub pipeline: usize,
    /// Inside `$(...)`, a subshell, a function or a `sh -c` string.
    pub nested: bool,
    /// Wrappers that ran it, e.g. `["sudo"]`.
    pub wrappers: Vec<String>,
    /// `VAR=value` assignments before the command.
    pub assignments: Vec<(String, String)>,
}

impl ShellCommand {
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    pub fn is_any(&self, names: &[&str]) -> bool {
        names.contains(&self.name.as_str())
    }

    /// Arguments that are not options.
    pub fn positional(&self) -> impl Iterator<Item = &str> {
        self.args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-') || *a == "-")
    }

    /// The first positional argument (`install` in `apt-get -q install x`).
    pub fn subcommand(&self) -> Option<&str> {
        self.positional().next()
    }

    /// Whether any of `flags` is given: `--long`, `--long=value`, `-s`, or `-s` inside a
    /// cluster such as `-qy`.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args.iter().any(|arg| flag_matches(arg, flags))
    }

    /// Value of an option given as `--name=value`, `--name value`, `-n value` or `-nvalue`.
    pub fn flag_value(&self, names: &[&str]) -> Option<&str> {
        let mut args = self.args.iter();
        while let Some(a) = args.next() {
            for n in names {
                if a == n {
                    return args.next().map(String::as_str);
                }
                if let Some(v) = a.strip_prefix(n) {
                    if n.starts_with("--") {
                        if let Some(v) = v.strip_prefix('=') {
                            return Some(v);
                        }
                    } else if !v.is_empty() && n.len() == 2 {
                        return Some(v);
                    }
                }
            }
        }
        None
    }

    /// The command as written, normalised: `name arg…`.
    pub fn display(&self) -> String {
        let mut s = self.name.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

fn flag_matches(arg: &str, flags: &[&str]) -> bool {
    if arg == "--" || !arg.starts_with('-') {
        return false;
    }
    flags.iter().any(|f| {
        if let Some(long) = f.strip_prefix("--") {
            arg.strip_prefix("--").is_some_and(|a| {
                a == long || a.strip_prefix(long).is_some_and(|r| r.starts_with('='))
            })
        } else if let Some(short) = f.strip_prefix('-') {
            if short.len() != 1 {
                // A multi-letter single-dash option (e.g. `-qq`, `-rf`): exact match.
                return arg == *f;
            }
            !arg.starts_with("--") && arg.len() > 1 && {
                let cluster = &arg[1..];
                cluster.chars().all(|c| c.is_ascii_alphanumeric()) && cluster.contains(short)
            }
        } else {
            false
        }
    })
}

/// The commands of one script, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<ShellCommand>,
    /// Command indexes of each pipeline (`a | b` is one pipeline of two).
    pub pipelines: Vec<Vec<usize>>,
    /// False when the shell parser rejected the text and the tokenizer was used.
    pub exact: bool,
}

impl Script {
    /// Parses a POSIX/bash script. Never fails and never panics.
    pub fn parse(text: &str) -> Script {
        let mut b = Builder::default();
        let exact = text.len() <= MAX_PARSE_BYTES && from_brush::collect(text, &mut b, 0, false);
        if !exact {
            b = Builder::default();
            tokenizer::collect(text, &mut b, 0, 0, false);
        }
        Script {
            commands: b.commands,
            pipelines: b.pipelines,
            exact,
        }
    }

    pub fn find<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ShellCommand> + 'a {
        self.commands.iter().filter(move |c| c.name == name)
    }

    pub fn any(&self, f: impl Fn(&ShellCommand) -> bool) -> bool {
        self.commands.iter().any(f)
    }

    /// Commands of the pipeline `cmd` belongs to, in order.
    pub fn pipeline_of(&self, cmd: &ShellCommand) -> impl Iterator<Item = &ShellCommand> {
        self.pipelines
            .get(cmd.pipeline)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.commands.get(i))
    }
}

/// Collects commands while a parse walks the script.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    commands: Vec<ShellCommand>,
    pipelines: Vec<Vec<usize>>,
}

/// Commands that run the command after their own options.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "nohup", "exec", "command", "nice", "time", "doas", "gosu", "su-exec", "chroot",
    "stdbuf", "timeout",
];

impl Builder {
    pub(crate) fn new_pipeline(&mut self) -> usize {
        self.pipelines.push(Vec::new());
        self.pipelines.len() - 1
    }

    /// Adds a simple command given as words (`(text, start, end)` in script offsets).
    pub(crate) fn push(
        &mut self,
        words: Vec<(String, usize, usize)>,
        assignments: Vec<(String, String)>,
        pipeline: usize,
        nested: bool,
        depth: usize,
    ) {
        let Some(&(_, start, _)) = words.first() else {
            return;
        };
        let end = words.last().map_or(start, |w| w.2);
        let mut values: Vec<String> = words.iter().map(|(w, _, _)| unquote(w)).collect();
        let mut wrappers = Vec::new();
        let mut assignments = assignments;
        while let Some(first) = values.first() {
            let name = basename(first).to_string();
            if !WRAPPERS.contains(&name.as_str()) {
                break;
            }
            match strip_wrapper(&name, &values[1..]) {
                Some((rest, extra)) => {
                    wrappers.push(name);
                    assignments.extend(extra);
                    values = rest;
                }
                // `sudo -i`, `env`: the wrapper is the command.
                None => break,
            }
        }
        let Some(first) = values.first() else { return };
        let name = basename(first).to_string();
        let args: Vec<String> = values[1..].to_vec();
        // `sh -c 'script'`: follow the script.
        let inner = if matches!(name.as_str(), "sh" | "bash" | "dash" | "ash" | "zsh") {
            args.iter()
                .position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
                .and_then(|i| args.get(i + 1).cloned())
        } else {
            None
        };
        let index = self.commands.len();
        self.commands.push(ShellCommand {
            name,
            args,
            start,
            end,
            pipeline,
            nested,
            wrappers,
            assignments,
        });
        if let Some(p) = self.pipelines.get_mut(pipeline) {
            p.push(index);
        }
        if let Some(script) = inner.filter(|_| depth < MAX_DEPTH) {
            let mut sub = Builder::default();
            if !from_brush::collect(&script, &mut sub, depth + 1, true) {
                sub = Builder::default();
                tokenizer::collect(&script, &mut sub, depth + 1, 0, true);
            }
            self.absorb(sub, start, end);
        }
        // Command substitutions inside the words.
        if depth < MAX_DEPTH {
            for (w, s, e) in &words {
                for inner in word::substitutions(w) {
                    let mut sub = Builder::default();
                    if !from_brush::collect(&inner, &mut sub, depth + 1, true) {
                        sub = Builder::default();
                        tokenizer::collect(&inner, &mut sub, depth + 1, 0, true);
                    }
                    self.absorb(sub, *s, *e);
                }
            }
        }
    }

    /// Appends commands found in a nested script, placed at `start..end` of this one.
    fn absorb(&mut self, sub: Builder, start: usize, end: usize) {
        let base_cmd = self.commands.len();
        let base_pipe = self.pipelines.len();
        for p in sub.pipelines {
            self.pipelines
                .push(p.into_iter().map(|i| i + base_cmd).collect());
        }
        for mut c in sub.commands {
            c.pipeline += base_pipe;
            c.start = start;
            c.end = end;
            c.nested = true;
            self.commands.push(c);
        }
    }
}

type Assignments = Vec<(String, String)>;

/// The command a wrapper runs, and `env`'s assignments; `None` when it runs none.
fn strip_wrapper(name: &str, args: &[String]) -> Option<(Vec<String>, Assignments)> {
    let mut i = 0;
    let mut assignments = Vec::new();
    let mut positional_skipped = !matches!(name, "timeout" | "chroot" | "gosu" | "su-exec");
    while let Some(v) = args.get(i) {
        if v.starts_with('-') && v != "-" {
            let takes_value = matches!(
                (name, v.as_str()),
                (
                    "sudo",
                    "-u" | "-g" | "-C" | "-h" | "-p" | "-U" | "-r" | "-t" | "-D"
                ) | ("env", "-u" | "-C" | "-S")
                    | ("nice", "-n")
                    | ("timeout", "-s" | "-k")
            );
            i += if takes_value { 2 } else { 1 };
        } else if name == "env" && v.contains('=') && !v.starts_with('=') {
            if let Some((k, val)) = v.split_once('=') {
                assignments.push((k.to_string(), val.to_string()));
            }
            i += 1;
        } else if !positional_skipped {
            positional_skipped = true;
            i += 1;
        } else {
            break;
        }
    }
    let rest = args.get(i..).filter(|r| !r.is_empty())?;
    Some((rest.to_vec(), assignments))
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Script) -> Vec<&str> {
        s.commands.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn and_or_lists_and_pipelines() {
        let s =
            Script::parse("apt-get update && apt-get install -y curl || true; curl -sL x | bash -");
        assert!(s.exact);
        assert_eq!(
            names(&s),
            vec!["apt-get", "apt-get", "true", "curl", "bash"]
        );
        let curl = &s.commands[3];
        assert_eq!(s.pipeline_of(curl).count(), 2);
        assert!(s.commands[1].has_flag(&["-y", "--yes"]));
    }

    #[test]
    fn wrappers_subshells_and_substitutions() {
        let s = Script::parse(
            "sudo -u root /usr/bin/apt-get install x && (cd /tmp && make) && echo $(id -u)",
        );
        assert_eq!(names(&s), vec!["apt-get", "cd", "make", "echo", "id"]);
        assert_eq!(s.commands[0].wrappers, vec!["sudo"]);
        assert!(s.commands[1].nested && s.commands[4].nested);
    }

    #[test]
    fn sh_c_is_followed() {
        let s = Script::parse("sh -c 'apk add curl'");
        assert_eq!(names(&s), vec!["sh", "apk"]);
    }

    #[test]
    fn control_flow_bodies() {
        let s =
            Script::parse("if [ -f a ]; then pip install x; fi; for p in a b; do echo $p; done");
        assert_eq!(names(&s), vec!["[", "pip", "echo"]);
    }

    #[test]
    fn tokenizer_fallback_still_finds_commands() {
        let s = Script::parse("apt-get install {{ packages }} && rm -rf /var/lib/apt/lists/* (");
        assert!(!s.exact);
        assert!(s.find("apt-get").count() == 1 && s.find("rm").count() == 1);
    }

    #[test]
    fn wrapper_without_command_is_the_command() {
        let s = Script::parse("sudo -i; env; env A=1 B=2 make -j2; timeout -s KILL 10 curl x");
        assert_eq!(names(&s), vec!["sudo", "env", "make", "curl"]);
        assert_eq!(s.commands[2].assignments.len(), 2);
        assert_eq!(s.commands[3].wrappers, vec!["timeout"]);
    }

    #[test]
    fn process_substitution_is_followed() {
        let s = Script::parse("bash <(curl -s https://x) && X=$(wget -qO- y | sh)");
        assert_eq!(names(&s), vec!["bash", "curl", "wget", "sh"]);
        let wget = &s.commands[2];
        assert_eq!(
            &"bash <(curl -s https://x) && X=$(wget -qO- y | sh)"[wget.start..wget.end],
            "X=$(wget -qO- y | sh)"
        );
    }

    #[test]
    fn deep_parentheses_do_not_hang_the_parser() {
        let text = format!("(({}1 && apt-get install x", "(".repeat(40));
        let started = std::time::Instant::now();
        let s = Script::parse(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(!s.exact && s.find("apt-get").count() == 1);
    }

    #[test]
    fn odd_blanks_in_heredoc_tags_do_not_hang_the_parser() {
        // Found by fuzzing: brush-parser 0.4 loops forever on these.
        for text in [
            "<<\r($(",
            "<<\x0c($(",
            ";g<<\x0c\0;`<<\x0c(\0\x0b\x0b(\x1b($(",
            "$($(\x03\x03\x03\x03\x03\x03\x03\x03\0\x03(1\x03$>!<<-\r\t",
            "tH=\x16HCHE(CK E(useradd CK~K $(#1C ADD << '' SHELL",
            "$(<<\t ' '   ",
            "$(<<\t\t'j'   ",
            "`$({<<I\x08\"$(($( {<<I\x08\"$(($( (($(#`",
            "Tz8[s[$[n[\x1b$[[\x1b$[((>\\<Tz8[ss[$[n[\x1b$[[\x1b$[((>\\<Tz8[s[$[s[C[\\[[$$[$[((><]:= ]I",
            "D[[''D[''[''$D[''D[''$''''D[[''D[''[''$D[''D[''$''''D[[''D[''[''$D[''D[''$''''D[[''D[''[''$D[''D[''$''''D[[''D[''[''$D[''D[''$''''D[[''D[''[''$D[''D[''$''''$'')",
        ] {
            let _ = Script::parse(text);
        }
    }

    #[test]
    fn ordinary_heredocs_still_parse_exactly() {
        for text in [
            "cat <<EOF > /a\nx\nEOF\necho done",
            "cat <<-'EOF'\n\tx\n\tEOF",
            "cat << \"E\"\nx\nE",
            "cat <<<\"$x\"",
        ] {
            assert!(Script::parse(text).exact, "{text:?}");
        }
    }

    #[test]
    fn parser_panics_fall_back_to_the_tokenizer() {
        let s = Script::parse("echo 99999999999999999999>x && apt-get install y");
        assert!(!s.exact);
        assert_eq!(names(&s), vec!["echo", "apt-get"]);
    }

    #[test]
    fn flags() {
        let s = Script::parse("apt-get -qy install --no-install-recommends=true x");
        let c = &s.commands[0];
        assert!(c.has_flag(&["-y"]) && c.has_flag(&["--no-install-recommends"]));
        assert!(!c.has_flag(&["-x", "--yes"]));
        assert_eq!(c.subcommand(), Some("install"));
    }
}
