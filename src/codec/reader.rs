//! Reading the chunks of the binary codecs (`binflux`, `tremor`): big-endian numbers, lengths
//! and the bytes they announce, borrowed from the chunk. Every read fails cleanly, with a
//! message, at the end of the data.

/// A reader over one chunk.
pub(super) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn new(chunk: &'a [u8]) -> Self {
        Self(chunk)
    }

    /// The next `N` bytes (for `from_be_bytes`).
    pub(super) fn take<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or("truncated")?;
        self.0 = rest;
        Ok(*head)
    }

    /// A `u16` length.
    pub(super) fn u16_len(&mut self) -> Result<usize, &'static str> {
        Ok(usize::from(u16::from_be_bytes(self.take()?)))
    }

    /// A `u64` length.
    pub(super) fn u64_len(&mut self) -> Result<usize, &'static str> {
        usize::try_from(u64::from_be_bytes(self.take()?)).map_err(|_| "length beyond memory")
    }

    /// The next `len` bytes; `truncated` says what was cut off when fewer are left.
    pub(super) fn bytes(
        &mut self,
        len: usize,
        truncated: &'static str,
    ) -> Result<&'a [u8], &'static str> {
        if self.0.len() < len {
            return Err(truncated);
        }
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(bytes)
    }

    /// The next `len` bytes as UTF-8 text.
    pub(super) fn text(
        &mut self,
        len: usize,
        truncated: &'static str,
    ) -> Result<&'a str, &'static str> {
        std::str::from_utf8(self.bytes(len, truncated)?).map_err(|_| "a string that is not UTF-8")
    }
}
