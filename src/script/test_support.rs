//! Table-driven assertions shared by the tests of both front ends.

/// `f(input) == expected` for every `(input, expected)` case; a failure names its input.
pub(crate) fn assert_cases<I, T, E>(f: impl Fn(I) -> T, cases: &[(I, E)])
where
    I: Copy + std::fmt::Debug,
    T: PartialEq<E> + std::fmt::Debug,
    E: std::fmt::Debug,
{
    for (input, expected) in cases {
        assert_eq!(f(*input), *expected, "{input:?}");
    }
}
