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

/// `f(input)` contains `part` for every `(input, part)` case; a failure names its input.
pub(crate) fn assert_contains_cases<I: Copy + std::fmt::Debug>(
    f: impl Fn(I) -> String,
    cases: &[(I, &str)],
) {
    for (input, part) in cases {
        let found = f(*input);
        assert!(found.contains(part), "{input:?}: {found}");
    }
}
