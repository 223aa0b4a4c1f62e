//! The local backend: `PATH` (snapshot), `PATH.journal` (step records, one
//! JSON object a line, fsynced per batch), `PATH.backup` (the previous
//! snapshot) and `PATH.lock`.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::lock::{LockError, LockInfo};
use super::{Backend, Record, State, StateError};

pub struct LocalBackend {
    path: PathBuf,
    /// Terraform's state file, read while `path` does not exist yet.
    adopt: Option<PathBuf>,
    journal: Mutex<Option<File>>,
    cipher: super::crypto::Cipher,
}

fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> StateError + 'p {
    move |source| StateError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend {
            path: path.into(),
            adopt: None,
            journal: Mutex::new(None),
            cipher: Default::default(),
        }
    }

    /// Encrypts what it writes (and reads encrypted files) with `cipher`.
    pub fn with_cipher(mut self, cipher: super::crypto::Cipher) -> LocalBackend {
        self.cipher = cipher;
        self
    }

    /// Until drinfra first writes its own snapshot, the state is read from
    /// `terraform` (Terraform's `terraform.tfstate`, adopted as recorded);
    /// afterwards a Terraform state of the same lineage with a newer serial
    /// (Terraform changed the stack after drinfra took it over) is refused
    /// rather than overlooked.
    pub fn adopting(mut self, terraform: impl Into<PathBuf>) -> LocalBackend {
        self.adopt = Some(terraform.into());
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn journal_path(&self) -> PathBuf {
        with_suffix(&self.path, ".journal")
    }

    fn lock_path(&self) -> PathBuf {
        with_suffix(&self.path, ".lock")
    }

    fn read_file(&self, path: &Path) -> Result<Option<State>, StateError> {
        let raw = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read", path)(e)),
        };
        super::decode_snapshot(&raw, &self.cipher, &path.display().to_string()).map(Some)
    }

    fn read_snapshot(&self) -> Result<Option<State>, StateError> {
        let own = self.read_file(&self.path)?;
        let Some(tf_path) = &self.adopt else {
            return Ok(own);
        };
        let Some(own) = own else {
            // Not written yet (journal records of a first run cut short
            // follow Terraform's snapshot, whose serial they continue).
            return self.read_file(tf_path);
        };
        if let Ok(Some(tf)) = self.read_file(tf_path)
            && tf.lineage == own.lineage
            && tf.serial > own.serial
        {
            return Err(StateError::Diverged(format!(
                "{} (serial {}) is newer than {} (serial {}): Terraform changed the stack after drinfra adopted it. Remove {} to adopt Terraform's state again, or move {} aside",
                tf_path.display(),
                tf.serial,
                self.path.display(),
                own.serial,
                self.path.display(),
                tf_path.display()
            )));
        }
        Ok(Some(own))
    }
}

fn sync_dir(p: &Path) {
    if let Some(dir) = p.parent()
        && let Ok(d) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = d.sync_all();
    }
}

impl Backend for LocalBackend {
    fn encrypted(&self) -> bool {
        self.cipher.enabled()
    }

    fn describe(&self) -> String {
        format!("local state at {}", self.path.display())
    }

    fn load(&self) -> Result<Option<State>, StateError> {
        let mut state = self.read_snapshot()?;
        let jp = self.journal_path();
        let file = match File::open(&jp) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(state),
            Err(e) => return Err(io("read", &jp)(e)),
        };
        let base = state.as_ref().map(|s| s.serial).unwrap_or(0);
        for line in BufReader::new(file).lines() {
            let line = line.map_err(io("read", &jp))?;
            // A torn last line was never acknowledged: ignore it (it is
            // not JSON, so it decodes as corrupt).
            let rec = match super::decode_record(
                line.as_bytes(),
                &self.cipher,
                &jp.display().to_string(),
            ) {
                Ok(rec) => rec,
                Err(StateError::Corrupt { .. }) => break,
                Err(e) => return Err(e),
            };
            if rec.serial <= base {
                continue; // already folded into the snapshot
            }
            state.get_or_insert_with(State::blank).apply_record(&rec);
        }
        Ok(state)
    }

    fn append(&self, records: &[Record]) -> Result<(), StateError> {
        if records.is_empty() {
            return Ok(());
        }
        let jp = self.journal_path();
        let mut guard = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            if let Some(dir) = jp.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io("create directory for", dir))?;
            }
            *guard = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&jp)
                    .map_err(io("open", &jp))?,
            );
        }
        let f = guard.as_mut().expect("journal open");
        let mut buf = Vec::new();
        for r in records {
            let plain = serde_json::to_vec(r).map_err(|e| StateError::Corrupt {
                path: jp.display().to_string(),
                message: e.to_string(),
            })?;
            buf.extend_from_slice(&self.cipher.seal(&plain)?);
            buf.push(b'\n');
        }
        f.write_all(&buf).map_err(io("write", &jp))?;
        f.sync_data().map_err(io("sync", &jp))?;
        Ok(())
    }

    fn compact(&self, state: &State) -> Result<(), StateError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io("create directory for", dir))?;
        }
        let tmp = with_suffix(&self.path, ".tmp");
        let plain = serde_json::to_vec_pretty(state).map_err(|e| StateError::Corrupt {
            path: tmp.display().to_string(),
            message: e.to_string(),
        })?;
        let text = self.cipher.seal(&plain)?;
        {
            let mut f = File::create(&tmp).map_err(io("create", &tmp))?;
            f.write_all(&text).map_err(io("write", &tmp))?;
            f.write_all(b"\n").map_err(io("write", &tmp))?;
            f.sync_all().map_err(io("sync", &tmp))?;
        }
        if self.path.exists() {
            let backup = with_suffix(&self.path, ".backup");
            std::fs::copy(&self.path, &backup).map_err(io("back up", &self.path))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(io("replace", &self.path))?;
        sync_dir(&self.path);
        // The snapshot now holds everything; the journal can go.
        let mut guard = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        *guard = None;
        match std::fs::remove_file(self.journal_path()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("remove", &self.journal_path())(e)),
        }
        Ok(())
    }

    fn lock(&self, info: &LockInfo) -> Result<(), LockError> {
        let lp = self.lock_path();
        let lio = |source| LockError::Io {
            path: lp.display().to_string(),
            source,
        };
        if let Some(dir) = lp.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(lio)?;
        }
        // Creating and writing the lock file happen under the guard, so no
        // other drinfra ever reads it half written.
        let _guard = self.guard(true)?;
        for _ in 0..100 {
            match OpenOptions::new().write(true).create_new(true).open(&lp) {
                Ok(mut f) => {
                    let text = serde_json::to_vec_pretty(info).unwrap_or_default();
                    if let Err(source) = f.write_all(&text).and_then(|_| f.sync_all()) {
                        let _ = std::fs::remove_file(&lp);
                        return Err(LockError::Io {
                            path: lp.display().to_string(),
                            source,
                        });
                    }
                    sync_dir(&lp);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    match self.read_holder()? {
                        Some(holder) => return Err(LockError::Held(Box::new(holder))),
                        // Removed meanwhile by something that does not take
                        // the guard (a person, an older drinfra): try again.
                        None => continue,
                    }
                }
                Err(e) => return Err(lio(e)),
            }
        }
        Err(lio(std::io::Error::other(
            "the lock file keeps appearing and disappearing",
        )))
    }

    fn unlock(&self, id: &str) -> Result<(), LockError> {
        let lp = self.lock_path();
        // Reading the holder and removing the file are one step under the
        // guard: a lock someone else took meanwhile is never removed.
        let _guard = self.guard(true)?;
        match self.read_holder()? {
            None => Err(LockError::NotLocked),
            Some(h) if h.id != id => Err(LockError::Mismatch {
                given: id.to_string(),
                current: h.id,
            }),
            Some(_) => std::fs::remove_file(&lp).map_err(|source| LockError::Io {
                path: lp.display().to_string(),
                source,
            }),
        }
    }

    fn lock_holder(&self) -> Result<Option<LockInfo>, LockError> {
        let _guard = self.guard(false)?;
        self.read_holder()
    }
}

impl LocalBackend {
    /// A lock on the directory holding the lock file (an exclusive one to
    /// create or remove the lock file, a shared one to read it), held
    /// for a few microseconds; None when the directory does not exist
    /// yet (nothing to read).
    fn guard(&self, exclusive: bool) -> Result<Option<File>, LockError> {
        let lp = self.lock_path();
        let dir = lp
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let lio = |source| LockError::Io {
            path: dir.display().to_string(),
            source,
        };
        let f = match File::open(dir) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(lio(e)),
        };
        match if exclusive { f.lock() } else { f.lock_shared() } {
            Ok(()) => Ok(Some(f)),
            // A file system without locks: go on without the guard.
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => Ok(None),
            Err(e) => Err(lio(e)),
        }
    }

    fn read_holder(&self) -> Result<Option<LockInfo>, LockError> {
        let lp = self.lock_path();
        match std::fs::read_to_string(&lp) {
            Ok(t) => Ok(Some(serde_json::from_str(&t).unwrap_or_else(|_| {
                LockInfo {
                    id: String::new(),
                    operation: "unknown (unreadable lock file)".into(),
                    who: "unknown".into(),
                    host: String::new(),
                    pid: 0,
                    created: String::new(),
                    ci_run_url: None,
                    path: lp.display().to_string(),
                }
            }))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(LockError::Io {
                path: lp.display().to_string(),
                source,
            }),
        }
    }
}
