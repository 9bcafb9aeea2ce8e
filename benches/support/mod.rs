//! Shared by the benchmark binaries.
#![allow(dead_code)]

pub mod data;
