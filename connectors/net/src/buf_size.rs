//! The `buf_size` field of the socket connectors' configs.

use serde::Deserialize;

/// A read buffer size, in bytes: never 0 (a config with `0` is rejected as it is parsed).
/// The default is 8192 for stream sockets; datagram sockets default to
/// [`BufSize::max_datagram`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "usize")]
pub struct BufSize(usize);

impl BufSize {
    /// The size in bytes.
    pub fn bytes(self) -> usize {
        self.0
    }

    /// 65535 bytes: the largest UDP payload, so that no datagram is cut.
    pub fn max_datagram() -> Self {
        Self(65535)
    }
}

impl Default for BufSize {
    fn default() -> Self {
        Self(8192)
    }
}

impl TryFrom<usize> for BufSize {
    type Error = &'static str;

    fn try_from(bytes: usize) -> Result<Self, Self::Error> {
        if bytes == 0 {
            Err("`buf_size` must be > 0 bytes")
        } else {
            Ok(Self(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Config {
        #[serde(default)]
        buf_size: BufSize,
    }

    #[test]
    fn zero_is_rejected_and_absent_is_the_default() {
        let parse = |json: &str| serde_json::from_str::<Config>(json).map(|c| c.buf_size.bytes());
        assert_eq!(parse("{}").expect("default"), 8192);
        assert_eq!(parse(r#"{"buf_size": 9}"#).expect("set"), 9);
        let err = parse(r#"{"buf_size": 0}"#).expect_err("zero");
        assert!(
            err.to_string().contains("`buf_size` must be > 0 bytes"),
            "{err}"
        );
        assert_eq!(BufSize::max_datagram().bytes(), 65535);
    }
}
