//! [`open_set!`]: the one shape of the small sets of values that cross the boundary
//! ([`crate::ErrorKind`], [`crate::EventAck`], [`crate::CbAction`], [`crate::LogLevel`];
//! [`crate::PayloadFormat`] has the same shape, written out).
//!
//! Each is an open set: a peer built against a newer pdk may send a value this version has no
//! name for. A Rust enum cannot hold such a value (an unknown discriminant is undefined
//! behaviour), so each set is a `#[repr(transparent)]` newtype over `u8` with one associated
//! constant per known value, and code reading one treats unknown values as its docs say.

/// Defines `pub struct $name(pub u8)` (`#[repr(transparent)]`, `StableAbi`, `Clone`, `Copy`,
/// `PartialEq`, `Eq`, plus the attributes given) and its constants.
///
/// * `pub struct Name; CONST = value; ...`: also derives `Debug` (`Name(1)`).
/// * `pub struct Name, unknown "label"; CONST = value => "label"; ...`: each constant has a
///   label; `name()` returns it (the `unknown` label for values without a constant), and
///   `Display`/`Debug` print it, or `label(N)` for an unknown value N.
macro_rules! open_set {
    (@define
        $(#[$attr:meta])*
        $name:ident;
        $( $(#[$doc:meta])* $constant:ident = $value:literal; )+
    ) => {
        $(#[$attr])*
        #[repr(transparent)]
        #[derive(::abi_stable::StableAbi, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub u8);

        impl $name {
            $( $(#[$doc])* pub const $constant: Self = Self($value); )+
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident, unknown $unknown:literal;
        $( $(#[$doc:meta])* $constant:ident = $value:literal => $label:literal; )+
    ) => {
        open_set!(@define $(#[$attr])* $name; $( $(#[$doc])* $constant = $value; )+);

        impl $name {
            /// A short lower-case name for logs; values this version does not know share one.
            pub fn name(self) -> &'static str {
                self.label().unwrap_or($unknown)
            }

            fn label(self) -> Option<&'static str> {
                match self {
                    $( Self::$constant => Some($label), )+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.label() {
                    Some(label) => f.write_str(label),
                    None => write!(f, "{}({})", $unknown, self.0),
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self, f)
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident;
        $( $(#[$doc:meta])* $constant:ident = $value:literal; )+
    ) => {
        open_set!(@define $(#[$attr])* #[derive(Debug)] $name; $( $(#[$doc])* $constant = $value; )+);
    };
}
