//! Where a Troy error is and what it says: the script front end's [`Pos`] and source error,
//! named [`TroyError`] here, since both front ends read the same files with the same cursor.

pub use crate::script::error::{Pos, SourceError as TroyError};
