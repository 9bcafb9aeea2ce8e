//! `cidr`: an IP address or network (`192.168.1.0/24`, IPv6 too) becomes
//! `{"prefix": [...], "mask": [...]}` (bytes for IPv4, 16-bit groups for IPv6). With a pattern
//! of comma-separated IPv4 ranges, only IPv4 addresses inside one of them match.

use super::error::ExtractorError;
use std::net::{IpAddr, Ipv4Addr};
use tremor_value::Value;

/// The ranges a `cidr|…|` pattern allows (none: every address).
#[derive(Debug)]
pub(super) struct Ranges {
    ranges: Vec<(u32, u32)>,
}

/// An address with an optional `/length`.
fn parse(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some((ip, len))
}

/// The network mask of `len` bits out of `bits`.
fn mask(len: u8, bits: u32) -> u128 {
    if len == 0 {
        0
    } else {
        (u128::MAX << (128 - u32::from(len))) >> (128 - bits)
    }
}

fn record(ip: IpAddr, len: u8) -> Value<'static> {
    let numbers = |v: Vec<u64>| Value::from(v.into_iter().map(Value::from).collect::<Vec<_>>());
    let (prefix, mask) = match ip {
        IpAddr::V4(v4) => {
            let m = u32::try_from(mask(len, 32)).unwrap_or(u32::MAX);
            let net = Ipv4Addr::from(u32::from(v4) & m);
            let bytes = |b: [u8; 4]| b.iter().map(|x| u64::from(*x)).collect();
            (bytes(net.octets()), bytes(m.to_be_bytes()))
        }
        IpAddr::V6(v6) => {
            let m = mask(len, 128);
            let net = std::net::Ipv6Addr::from(u128::from(v6) & m);
            let groups = |g: [u16; 8]| g.iter().map(|x| u64::from(*x)).collect();
            (
                groups(net.segments()),
                groups(std::net::Ipv6Addr::from(m).segments()),
            )
        }
    };
    [("prefix", numbers(prefix)), ("mask", numbers(mask))]
        .into_iter()
        .collect()
}

impl Ranges {
    pub(super) fn compile(pattern: &str) -> Result<Self, ExtractorError> {
        let mut ranges = Vec::new();
        for rule in pattern.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let refused = |why: &str| {
                ExtractorError::new(format!("Failed to parse CIDR range: {why}: '{rule}'"))
            };
            let (ip, len) = parse(rule).ok_or_else(|| refused("could not parse CIDR"))?;
            let IpAddr::V4(v4) = ip else {
                return Err(refused("IPv6 CIDR not supported"));
            };
            let m = u32::try_from(mask(len, 32)).unwrap_or(u32::MAX);
            ranges.push((u32::from(v4) & m, m));
        }
        Ok(Self { ranges })
    }

    pub(super) fn run(&self, s: &str) -> Option<Value<'static>> {
        if self.ranges.is_empty() {
            let (ip, len) = parse(s)?;
            return Some(record(ip, len));
        }
        let v4: Ipv4Addr = s.parse().ok()?;
        let n = u32::from(v4);
        self.ranges
            .iter()
            .any(|(net, m)| n & m == *net)
            .then(|| record(IpAddr::V4(v4), 32))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;

    #[test]
    fn tremors_examples() {
        let ranges = "10.22.0.0/24, 10.22.1.0/24";
        check(&[
            (
                "cidr",
                "",
                "192.168.1.0",
                r#"{"prefix":[192,168,1,0],"mask":[255,255,255,255]}"#,
            ),
            (
                "cidr",
                "",
                "192.168.1.7/24",
                r#"{"prefix":[192,168,1,0],"mask":[255,255,255,0]}"#,
            ),
            (
                "cidr",
                "",
                "2001:4860:4860:0000:0000:0000:0000:8888",
                r#"{"prefix":[8193,18528,18528,0,0,0,0,34952],"mask":[65535,65535,65535,65535,65535,65535,65535,65535]}"#,
            ),
            (
                "cidr",
                "",
                "2001:db8::/32",
                r#"{"prefix":[8193,3512,0,0,0,0,0,0],"mask":[65535,65535,0,0,0,0,0,0]}"#,
            ),
            ("cidr", "", "snot", "none"),
            ("cidr", "", "1.2.3.4/33", "none"),
            (
                "cidr",
                ranges,
                "10.22.0.254",
                r#"{"prefix":[10,22,0,254],"mask":[255,255,255,255]}"#,
            ),
            ("cidr", ranges, "10.22.1.3", "match"),
            ("cidr", ranges, "99.98.97.96", "none"),
        ]);
        assert!(super::Ranges::compile("10.0.0.0/8, ::1/128").is_err());
        assert!(super::Ranges::compile("snot").is_err());
    }
}
