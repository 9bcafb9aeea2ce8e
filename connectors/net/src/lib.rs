//! Shared code of the socket connectors (`tcp_*`, `unix_socket_*`, and the connection slot of
//! `udp_*` and `file`). Not a connector: it registers nothing and has no `plugin` feature;
//! each connector links it in.
//!
//! * [`Slot`]: how `connect` hands a connection to the source and sink parts, with a
//!   generation number so that a loss is reported once per connection.
//! * [`Transport`]: what the generic parts need of a stream socket type, with [`Tcp`] and
//!   [`Unix`].
//! * [`ClientLink`]: a client's connection, source and sink; [`StreamClient`] the connector
//!   around it, for a [`ClientSocket`] (config + dialing).
//! * [`Server`]: a server's listener, accept loop, per-connection readers and the sink that
//!   routes replies by the connection named in an event's metadata; [`StreamServer`] the
//!   connector around it, for a [`ServerSocket`] (config + binding).
//!
//! A connector crate keeps its config, its dialing or binding (resolving, socket options,
//! socket files), its docs and its registration, and delegates the rest here.

mod address;
mod client;
mod server;
mod slot;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;

pub use address::AddressField;
pub use client::{ClientLink, ClientSocket, Dialed, StreamClient};
pub use server::{connection_of, Server, ServerSocket, StreamServer, LINGER};
pub use slot::{lock, Slot, Watch};
pub use transport::{Accepted, Tcp, Transport, Unix};
