//! The store: one redb table of keys (bytes) to values (JSON text).

use crate::{
    command::{cas_error, Command, Request},
    Outcome,
};
use redb::{Database, ReadableTable, Table, TableDefinition};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError, Weak},
};
use tremor_pdk::{ConnectorError, Result};

const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

/// The file inside the configured directory.
pub(crate) const FILE_NAME: &str = "kv.redb";

/// What one request produced: its replies, or the error text (Tremor's, for `$error`).
pub(crate) type Executed = std::result::Result<Vec<Outcome>, String>;

/// A handle on the open store; clones share it.
#[derive(Clone)]
pub(crate) struct Store {
    db: Arc<Database>,
}

fn store_error(doing: &str, e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::io(format!("kv: {doing}: {e}"))
}

fn decode(stored: Option<&[u8]>) -> Value {
    stored
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .unwrap_or(Value::Null)
}

impl Store {
    /// Opens (or creates) the store in `dir`. A store already open in this process is shared:
    /// redb refuses a second open of one file, and two kv connectors on one directory (or a
    /// connector rebuilt after a failure while the old instance is still being dropped) mean
    /// one store.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        static OPEN: Mutex<Vec<(PathBuf, Weak<Database>)>> = Mutex::new(Vec::new());
        let path = dir.join(FILE_NAME);
        let opening = || format!("opening {}", path.display());
        let dir = dir.canonicalize().map_err(|e| store_error(&opening(), e))?;
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|(_, db)| db.strong_count() > 0);
        if let Some(db) = open
            .iter()
            .find(|(d, _)| *d == dir)
            .and_then(|(_, db)| db.upgrade())
        {
            return Ok(Self { db });
        }
        let db = Arc::new(Database::create(&path).map_err(|e| store_error(&opening(), e))?);
        open.push((dir, Arc::downgrade(&db)));
        Ok(Self { db })
    }

    /// Executes `requests` in order in one transaction, committed (fsync'd) before this
    /// returns; an `Err` means nothing of it was stored.
    pub(crate) fn execute(&self, requests: &[Request]) -> Result<Vec<Executed>> {
        let txn = self
            .db
            .begin_write()
            .map_err(|e| store_error("starting a transaction", e))?;
        let results = {
            let mut table = txn
                .open_table(TABLE)
                .map_err(|e| store_error("opening the table", e))?;
            requests
                .iter()
                .map(|request| execute_one(&mut table, request))
                .collect::<Result<Vec<_>>>()?
        };
        txn.commit().map_err(|e| store_error("committing", e))?;
        Ok(results)
    }
}

fn access(e: impl std::fmt::Display) -> ConnectorError {
    store_error("reading or writing", e)
}

/// One request; `Err` only for a failing store, a failing command is `Ok(Err(text))`.
fn execute_one(table: &mut Table<&[u8], &[u8]>, request: &Request) -> Result<Executed> {
    let command = match &request.command {
        Ok(command) => command,
        Err(why) => return Ok(Err(why.clone())),
    };
    let op = command.op();
    let encoded = request.value.to_string();
    let one = |key: &[u8], value: &Value| Ok(Ok(vec![request.reply(op, key, value)]));
    match command {
        Command::Get { key } => {
            let stored = table.get(key.as_slice()).map_err(access)?;
            one(key, &decode(stored.as_ref().map(|v| v.value())))
        }
        Command::Put { key } => {
            table
                .insert(key.as_slice(), encoded.as_bytes())
                .map_err(access)?;
            one(key, &request.value)
        }
        Command::Swap { key } => {
            let old = table
                .insert(key.as_slice(), encoded.as_bytes())
                .map_err(access)?;
            one(key, &decode(old.as_ref().map(|v| v.value())))
        }
        Command::Delete { key } => {
            let old = table.remove(key.as_slice()).map_err(access)?;
            one(key, &decode(old.as_ref().map(|v| v.value())))
        }
        Command::Cas { key, old } => {
            let current = table.get(key.as_slice()).map_err(access)?;
            let current = current.map(|v| decode(Some(v.value())));
            if current.as_ref() != old.as_ref() {
                let found = current.unwrap_or(Value::Null);
                return Ok(Err(cas_error(&request.value, &found)));
            }
            table
                .insert(key.as_slice(), encoded.as_bytes())
                .map_err(access)?;
            one(key, &Value::Null)
        }
        Command::Scan { start, end } => {
            let mut replies = Vec::new();
            if end.as_ref().is_some_and(|end| end <= start) {
                // An empty range (redb, like std's ranges, refuses an inverted one).
                return Ok(Ok(replies));
            }
            let range = match end {
                Some(end) => table.range(start.as_slice()..end.as_slice()),
                None => table.range(start.as_slice()..),
            }
            .map_err(access)?;
            for entry in range {
                let (key, value) = entry.map_err(access)?;
                replies.push(request.reply(op, key.value(), &decode(Some(value.value()))));
            }
            Ok(Ok(replies))
        }
    }
}
