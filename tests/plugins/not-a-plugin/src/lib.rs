//! Test fixture: a valid shared library without a tremor root module. The loader must skip
//! it with a warning naming it.

/// Something to export, so the library is not empty.
#[no_mangle]
pub extern "C" fn tremor_test_not_a_plugin() -> i32 {
    42
}
