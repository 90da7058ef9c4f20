//! Which containers to check, and everything read about each: inspect, processes (top),
//! filesystem changes and, when they changed, the package databases. All containers are read
//! concurrently on one runtime, at most [`CONCURRENCY`] at a time.

use std::collections::HashMap;

use bollard::Docker;
use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::ListContainersOptionsBuilder;
use futures_util::StreamExt;
use seaworthy_container::ContainerSpec;

use super::archive::{ContainerFile, read_path};
use super::inspect;
use crate::engine::{Endpoint, EngineError, api_error};
use seaworthy_container::drift::{Change, ChangeKind, package_db_changed};

/// Containers read at the same time.
pub const CONCURRENCY: usize = 16;

/// Exec sessions inspected per container (5.23/5.24); more are left out.
pub const MAX_EXECS: usize = 32;

/// The label that leaves a container out of listings.
pub const IGNORE_LABEL: &str = "seaworthy.ignore";

/// Filter keys the daemon's container list accepts.
pub const FILTER_KEYS: &[&str] = &[
    "ancestor",
    "before",
    "expose",
    "exited",
    "health",
    "id",
    "isolation",
    "is-task",
    "label",
    "name",
    "network",
    "publish",
    "since",
    "status",
    "volume",
];

/// Which containers to check.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Ids or names; when given, exactly these are checked (even if stopped or ignored).
    pub names: Vec<String>,
    /// Include stopped containers when listing.
    pub all: bool,
    /// `key=value` filters passed to the daemon's list (`label=…`, `name=…`).
    pub filters: Vec<(String, String)>,
}

/// What was read about one container.
#[derive(Debug, Clone)]
pub struct Observed {
    pub spec: ContainerSpec,
    pub running: bool,
    pub changes: Vec<Change>,
    /// Package database files read from the container (only those that changed).
    pub package_files: Vec<ContainerFile>,
    /// Databases that changed (and so were read), e.g. `/var/lib/dpkg/status`.
    pub package_dbs_read: Vec<&'static str>,
    /// What could not be read (the checks that need it say so).
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    #[error("no such container: {0}")]
    NotFound(String),
    #[error("unknown filter `{0}` (known: {known})", known = FILTER_KEYS.join(", "))]
    BadFilter(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl ObserveError {
    /// Bad input from the user (exit 2) rather than an engine failure (exit 3).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ObserveError::Engine(_))
    }
}

/// Reads every selected container, sorted by name.
pub async fn observe(
    docker: &Docker,
    endpoint: &Endpoint,
    selection: &Selection,
) -> Result<Vec<Observed>, ObserveError> {
    let ids = if selection.names.is_empty() {
        list(docker, endpoint, selection).await?
    } else {
        selection.names.clone()
    };
    let explicit = !selection.names.is_empty();
    let results: Vec<Result<Option<Observed>, ObserveError>> = futures_util::stream::iter(ids)
        .map(|id| observe_one(docker, endpoint, id, explicit))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::new();
    for r in results {
        if let Some(o) = r? {
            out.push(o);
        }
    }
    out.sort_by(|a, b| name_of(&a.spec).cmp(name_of(&b.spec)));
    Ok(out)
}

/// What the rules need to know about the host, from `GET /info`.
pub async fn host_context(
    docker: &Docker,
    endpoint: &Endpoint,
) -> Result<seaworthy_container::Context, EngineError> {
    let info = docker
        .info()
        .await
        .map_err(|e| api_error(endpoint, "GET /info", e))?;
    let options = info.security_options.unwrap_or_default();
    let has = |module: &str| {
        options
            .iter()
            .any(|o| o.contains(&format!("name={module}")))
    };
    Ok(seaworthy_container::Context {
        apparmor: Some(has("apparmor")),
        selinux: Some(has("selinux")),
        daemon_no_new_privileges: false,
    })
}

fn name_of(spec: &ContainerSpec) -> &str {
    match &spec.subject {
        seaworthy_container::Subject::Running { name, .. } => name,
        _ => "",
    }
}

async fn list(
    docker: &Docker,
    endpoint: &Endpoint,
    selection: &Selection,
) -> Result<Vec<String>, ObserveError> {
    let mut filters: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in &selection.filters {
        if !FILTER_KEYS.contains(&k.as_str()) {
            return Err(ObserveError::BadFilter(k.clone()));
        }
        filters.entry(k.clone()).or_default().push(v.clone());
    }
    let options = ListContainersOptionsBuilder::default()
        .all(selection.all)
        .filters(&filters)
        .build();
    let listed = docker
        .list_containers(Some(options))
        .await
        .map_err(|e| api_error(endpoint, "GET /containers/json", e))?;
    Ok(listed
        .into_iter()
        .filter(|c| {
            c.labels
                .as_ref()
                .and_then(|l| l.get(IGNORE_LABEL))
                .is_none_or(|v| v != "true")
        })
        .filter_map(|c| c.id)
        .collect())
}

async fn observe_one(
    docker: &Docker,
    endpoint: &Endpoint,
    id: String,
    explicit: bool,
) -> Result<Option<Observed>, ObserveError> {
    let inspected: ContainerInspectResponse = match docker.inspect_container(&id, None).await {
        Ok(i) => i,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) if explicit => return Err(ObserveError::NotFound(id)),
        // Removed between list and inspect: nothing to check.
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => return Ok(None),
        Err(e) => {
            return Err(api_error(endpoint, &format!("GET /containers/{id}/json"), e).into());
        }
    };
    let running = inspect::is_running(&inspected);
    let mut problems = Vec::new();
    let top = async {
        if !running {
            return None;
        }
        match docker.top_processes(&id, None).await {
            Ok(t) => Some(inspect::processes(&t)),
            Err(e) => {
                problems.push(format!("processes (GET /containers/{id}/top): {e}"));
                None
            }
        }
    };
    let changes = async {
        docker
            .container_changes(&id)
            .await
            .map(|c| c.unwrap_or_default().iter().map(change).collect())
    };
    let exec_ids: Vec<String> = inspected
        .exec_ids
        .iter()
        .flatten()
        .take(MAX_EXECS)
        .cloned()
        .collect();
    let execs = async {
        let mut sessions = Vec::new();
        for exec in &exec_ids {
            // Sessions end and disappear; only an unreachable daemon would matter here.
            if let Ok(e) = docker.inspect_exec(exec).await {
                sessions.push(inspect::exec_session(&e));
            }
        }
        sessions
    };
    let (processes, changes, execs) = futures_util::join!(top, changes, execs);
    let changes: Vec<Change> = match changes {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!(
                "filesystem changes (GET /containers/{id}/changes): {e}"
            ));
            Vec::new()
        }
    };
    let package_dbs_read = package_db_changed(&changes);
    let mut package_files = Vec::new();
    for db in &package_dbs_read {
        match read_path(docker, &id, db).await {
            Ok(files) => package_files.extend(files),
            Err(e) => problems.push(format!("package database {e}")),
        }
    }
    Ok(Some(Observed {
        spec: inspect::to_spec(&inspected, processes, Some(execs)),
        running,
        changes,
        package_files,
        package_dbs_read,
        problems,
    }))
}

/// One entry of `GET /containers/{id}/changes` in the drift rules' terms.
fn change(c: &bollard::models::FilesystemChange) -> Change {
    use bollard::models::ChangeType;
    Change {
        path: c.path.clone(),
        kind: match c.kind {
            ChangeType::_1 => ChangeKind::Added,
            ChangeType::_2 => ChangeKind::Deleted,
            ChangeType::_0 => ChangeKind::Changed,
        },
    }
}
