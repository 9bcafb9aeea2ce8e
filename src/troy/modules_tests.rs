use super::*;
use crate::troy::test_support::{TempDir, INTEGRATION_MODULE};

fn use_of(src: &str) -> Use {
    parse_file(src, "d.troy")
        .expect("parses")
        .uses
        .first()
        .cloned()
        .expect("has a use")
}

/// Loads the module that `use_src` names, as `d.troy` would.
fn load(l: &mut Loader, use_src: &str) -> Result<Option<Rc<Module>>, TroyError> {
    l.load(&use_of(use_src), "d.troy")
}

/// [`load`] of a module that exists and holds definitions.
fn module(l: &mut Loader, use_src: &str) -> Rc<Module> {
    load(l, use_src).expect("loads").expect("definitions")
}

#[test]
fn builtin_modules() {
    let mut l = Loader::new(&[]);
    let m = module(&mut l, "use tremor::connectors;");
    assert_eq!(m.name, "tremor::connectors");
    let console = m.connector("console").expect("console");
    assert_eq!(console.connector_type.name, "stdio");
    assert!(m.connector("exit").is_some());
    assert!(m.pipeline("console").is_none());
    let again = module(&mut l, "use tremor::connectors;");
    assert!(Rc::ptr_eq(&m, &again), "parsed once");
    let p = module(&mut l, "use tremor::pipelines;");
    assert!(p.pipeline("passthrough").is_some());
    assert!(load(&mut l, "use std::time::nanos;")
        .expect("loads")
        .is_none());
    let e = load(&mut l, "\n  use std::string;").expect_err("unknown builtin");
    assert_eq!(
        e.to_string(),
        "d.troy:2:3: unknown module `std::string`: the builtin modules are tremor::connectors, \
         tremor::pipelines and std::time::nanos"
    );
}

#[test]
fn module_file_on_the_path() {
    let first = TempDir::new("mod-first");
    let second = TempDir::new("mod-second");
    second.write("integration.tremor", INTEGRATION_MODULE);
    let mut l = Loader::new(&[first.path().to_path_buf(), second.path().to_path_buf()]);
    let m = module(&mut l, "use integration;");
    assert_eq!(m.name, "integration");
    assert!(m.file.ends_with("integration.tremor"), "{}", m.file);
    for c in ["exit", "write_file", "read_file"] {
        assert!(m.connector(c).is_some(), "{c}");
    }
    for p in ["out_or_exit", "out_and_exit"] {
        assert!(m.pipeline(p).is_some(), "{p}");
    }
    // the first directory on the path wins
    first.write(
        "integration.tremor",
        "define connector only_here from exit;",
    );
    let mut l = Loader::new(&[first.path().to_path_buf(), second.path().to_path_buf()]);
    let m = module(&mut l, "use integration;");
    assert!(m.connector("only_here").is_some());
}

#[test]
fn nested_module_paths() {
    let dir = TempDir::new("mod-nested");
    dir.write("a/b.tremor", "use c;\ndefine connector x from exit;");
    dir.write(
        "c.tremor",
        "define pipeline p pipeline select event from in into out; end;",
    );
    let mut l = Loader::new(&[dir.path().to_path_buf()]);
    let m = module(&mut l, "use a::b;");
    assert_eq!(m.name, "a::b");
    assert!(m.connector("x").is_some());
}

#[test]
fn grouped_imports_load_each_module() {
    let dir = TempDir::new("mod-grouped");
    dir.write(
        "a/b.tremor",
        "use tremor::{connectors, pipelines};\ndefine connector x from exit;",
    );
    dir.write("a/c.tremor", "define connector y from exit;");
    let mut l = Loader::new(&[dir.path().to_path_buf()]);
    let file = parse_file("use a::{b as first, c};", "d.troy").expect("parses");
    let loaded: Vec<Rc<Module>> = file
        .uses
        .iter()
        .map(|u| l.load(u, "d.troy").expect("loads").expect("definitions"))
        .collect();
    assert_eq!(file.uses[0].alias.name, "first");
    assert_eq!(loaded[0].name, "a::b");
    assert!(loaded[0].connector("x").is_some());
    assert_eq!(loaded[1].name, "a::c");
    assert!(loaded[1].connector("y").is_some());
    let bad = parse_file("use tremor::{connectors, nothing};", "d.troy").expect("parses");
    let e = l.load(&bad.uses[1], "d.troy").expect_err("unknown builtin");
    assert_eq!(
        e.to_string(),
        "d.troy:1:26: unknown module `tremor::nothing`: the builtin modules are \
         tremor::connectors, tremor::pipelines and std::time::nanos"
    );
}

#[test]
fn missing_module_lists_the_searched_directories() {
    let a = TempDir::new("mod-missing-a");
    let b = TempDir::new("mod-missing-b");
    let mut l = Loader::new(&[a.path().to_path_buf(), b.path().to_path_buf()]);
    let e = load(&mut l, "use nothere;").expect_err("not found");
    assert_eq!(e.pos.map(|p| (p.line, p.column)), Some((1, 1)));
    assert!(e
        .message
        .starts_with("module `nothere` not found: no file `nothere.tremor`"));
    assert!(e.message.contains(&a.path().display().to_string()), "{e}");
    assert!(e.message.contains(&b.path().display().to_string()), "{e}");
    let mut empty = Loader::new(&[]);
    let e = load(&mut empty, "use integration;").expect_err("not found");
    assert!(e.message.contains("TREMOR_PATH is empty"), "{e}");
}

#[test]
fn bad_module_files() {
    let dir = TempDir::new("mod-bad");
    dir.write("syntax.tremor", "define connector x from;\n");
    // Tremor's module files may define flows (`deploy flow x from MODULE::f`), once each.
    dir.write(
        "flow.tremor",
        "define flow f flow end;\ndefine flow f flow end;\n",
    );
    dir.write("deploy.tremor", "deploy flow f;\n");
    dir.write(
        "dup.tremor",
        "define connector x from exit;\ndefine connector x from exit;\n",
    );
    dir.write("cycle_a.tremor", "use cycle_b;\n");
    dir.write("cycle_b.tremor", "use cycle_a;\n");
    dir.write("nested_missing.tremor", "use gone;\n");
    let mut l = Loader::new(&[dir.path().to_path_buf()]);
    let mut err = |name: &str| {
        l.load(&use_of(&format!("use {name};")), "d.troy")
            .expect_err("fails")
    };
    let e = err("syntax");
    assert!(e.file.ends_with("syntax.tremor"), "{e}");
    assert_eq!(e.pos, Some(crate::troy::Pos::new(1, 24)));
    let e = err("flow");
    assert_eq!(e.pos, Some(crate::troy::Pos::new(2, 13)));
    assert_eq!(
        e.message,
        "duplicate flow definition `f` (first defined at 1:13)"
    );
    assert!(err("deploy").message.contains("found `deploy`"));
    let e = err("dup");
    assert_eq!(
        e.message,
        "duplicate connector definition `x` (first defined at 1:18)"
    );
    let e = err("cycle_a");
    assert!(e.message.contains("uses itself"), "{e}");
    assert!(e.file.ends_with("cycle_b.tremor"), "{e}");
    let e = err("nested_missing");
    assert!(e.file.ends_with("nested_missing.tremor"), "{e}");
    assert!(e.message.contains("module `gone` not found"), "{e}");
}

#[test]
fn unique_names() {
    let f = parse_file(
        "define pipeline a pipeline select event from in into out; end;\n\
         define connector a from exit;",
        "d.troy",
    )
    .expect("parses");
    check_unique_definitions("d.troy", &f.connectors, &f.pipelines).expect("unique");
}

#[test]
fn tremor_0_12_module_files_end_in_troy_or_trickle() {
    // 0.12's test libraries: `use pipelines;` is `lib/pipelines.troy`; as in Tremor, a
    // `.tremor` file of the same name anywhere on the path comes first, then `.trickle`, then
    // `.troy`, whichever directory holds it.
    let lib = TempDir::new("mod-012-lib");
    let later = TempDir::new("mod-012-later");
    lib.write(
        "pipelines.troy",
        "define pipeline in pipeline select event from in into out; end;",
    );
    let mut l = Loader::new(&[lib.path().to_path_buf(), later.path().to_path_buf()]);
    let m = module(&mut l, "use pipelines;");
    assert!(m.file.ends_with("pipelines.troy"), "{}", m.file);
    assert!(m.pipeline("in").is_some());
    later.write("pipelines.tremor", INTEGRATION_MODULE);
    let mut l = Loader::new(&[lib.path().to_path_buf(), later.path().to_path_buf()]);
    let m = module(&mut l, "use pipelines;");
    assert!(m.file.ends_with("pipelines.tremor"), "{}", m.file);
}
