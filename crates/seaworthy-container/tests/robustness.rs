//! Hostile input never panics: arbitrary argv for the `docker run` parser, arbitrary text and
//! compose-shaped noise for the compose parser, and the rules on whatever they accept. (The
//! `compose` and `docker_run` fuzz targets check the same without bounds.)

use proptest::prelude::*;
use seaworthy_container::compose::{self, Env};
use seaworthy_container::{Context, check, run};

const FLAGS: &[&str] = &[
    "docker",
    "run",
    "container",
    "--",
    "-",
    "-itd",
    "-p",
    "-v",
    "-m",
    "-u",
    "-e",
    "-dp80:80",
    "--privileged",
    "--privileged=false",
    "--privileged=x",
    "--cap-add",
    "--mount",
    "--network",
    "--net=host",
    "--restart",
    "on-failure:",
    "--memory=",
    "--cpus",
    "--pids-limit",
    "--security-opt",
    "--health-cmd",
    "--no-healthcheck",
    "--read-only",
    "--use-api-socket",
    "type=bind,src=/,dst=/h",
    "/:/host:ro,rshared",
    "[::1]:80:80",
    "0.0.0.0:1-2:3-4/udp",
    "1.5g",
    "99999999999999999999",
    "-1",
    "",
    "=",
    "alpine",
    "sh",
];

const YAML: &[&str] = &[
    "services:\n",
    "  web:\n",
    "    image: ",
    "    privileged: ",
    "    volumes:\n",
    "    ports:\n",
    "      - ",
    "type: bind\n",
    "target: ",
    "source: ",
    "published: ",
    "    deploy:\n",
    "      resources:\n",
    "        limits:\n",
    "memory: ",
    "cpus: ",
    "    healthcheck:\n",
    "test: ",
    "disable: ",
    "    cap_add: [",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "<<: ",
    "${X:-",
    "${",
    "}",
    "$$",
    "\"",
    "'",
    "true",
    "host",
    "80:80",
    "/:/h",
    "1g",
    "\n",
    "  ",
    "- ",
    ": ",
    "#",
    "~",
    "null",
    "    ulimits:\n",
    "    labels:\n",
    "    restart: ",
    "    devices:\n",
    "    security_opt:\n",
];

fn spec_checks(specs: &[seaworthy_container::ContainerSpec]) {
    for s in specs {
        let results = check(s, &Context::default());
        assert_eq!(results.len(), 32);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn docker_run_never_panics(words in proptest::collection::vec(
        prop_oneof![proptest::sample::select(FLAGS).prop_map(String::from), ".{0,12}"], 0..16)) {
        if let Ok(spec) = run::parse(&words) {
            spec_checks(&[spec]);
        }
    }

    #[test]
    fn compose_never_panics_on_noise(pieces in proptest::collection::vec(
        prop_oneof![proptest::sample::select(YAML).prop_map(String::from), ".{0,6}"], 0..40)) {
        let text = pieces.concat();
        if let Ok(specs) = compose::parse("fuzz.yaml", &text, &Env::new()) {
            spec_checks(&specs);
        }
    }

    #[test]
    fn compose_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = compose::parse("fuzz.yaml", &text, &Env::new());
    }
}
