#!/usr/bin/env python3
"""Fails when two modules of the runtime (src/) import each other, directly or around a circle.

A module is one file of src/ (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`). An edge `m -> n`
is any path in `m` that names `n` or an item inside it: `use crate::n::...`, `crate::n::f()`
inline, `super::...`, `self::...` and `child::...` resolved against `m`. Declaring a child (`mod n;`) is not
an import; test modules (`*_tests.rs`, `tests.rs`, `test_support.rs`) and `#[cfg(test)]`
blocks are left out, since they exist to reach into the module they test.

Usage: ci/check-module-cycles.py [--list] [SRC_DIR]   (default: src). Prints every cycle found
and exits 1 if there is one; prints the edge count and exits 0 otherwise. `--list` also prints
each module with the modules it imports (the table in docs/architecture.md).
"""
import os
import re
import sys

TEST_FILE = re.compile(r"(^|_)tests?\.rs$|^test_support\.rs$")


def module_of(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)


def strip_comments_and_tests(text):
    # One pass, so that a `//` inside a string or a quote inside a comment cannot derail the rest.
    lexeme = re.compile(
        r'r(#*)".*?"\1|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'|//[^\n]*|/\*.*?\*/', re.S
    )
    text = lexeme.sub(lambda m: '""' if m.group(0)[0] in "r\"" else ("' '" if m.group(0)[0] == "'" else ""), text)
    # Drop `#[cfg(test)] mod name { ... }` blocks by brace matching.
    out, i = [], 0
    marker = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{")
    while True:
        m = marker.search(text, i)
        if not m:
            out.append(text[i:])
            break
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    depth = 0
    for k, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                prefix, inner = tree[:k], tree[k + 1 : tree.rindex("}")]
                parts, start, d = [], 0, 0
                for n, c in enumerate(inner):
                    d += {"{": 1, "}": -1}.get(c, 0)
                    if c == "," and d == 0:
                        parts.append(inner[start:n])
                        start = n + 1
                parts.append(inner[start:])
                result = []
                for p in parts:
                    if p.strip():
                        for sub in expand_use_tree(p):
                            result.append(prefix + sub)
                return result
            depth += 1
    return [re.sub(r"\s+as\s+\w+$", "", tree)]


def paths_in(text):
    found = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        found.extend(p.replace(" ", "") for p in expand_use_tree(m.group(1)))
    found.extend(re.findall(r"\b(?:crate|super|self)(?:::\w+)+", text))
    # Relative paths (`child::item`), kept only if `child` turns out to be a child module.
    found.extend(re.findall(r"(?<![:\w])\w+(?:::\w+)+", text))
    return found


def resolve(path, here, modules):
    parts = path.split("::")
    if parts[0] == "crate":
        base, rest = (), parts[1:]
    elif parts[0] in ("super", "self"):
        # A module's path names the module itself, whether it is a file or a folder.
        base = here
        while parts and parts[0] == "super":
            base, parts = base[:-1], parts[1:]
        rest = parts[1:] if parts and parts[0] == "self" else parts
    elif here + (parts[0],) in modules:
        # A path relative to this module: `use child::Item;` or `child::f()`.
        base, rest = here, parts
    else:
        return None
    target = tuple(base)
    for name in rest:
        if target + (name,) in modules:
            target = target + (name,)
        else:
            break
    return target


def main():
    args = [a for a in sys.argv[1:] if a != "--list"]
    listing = "--list" in sys.argv[1:]
    src = args[0] if args else "src"
    files = {}
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs") and not TEST_FILE.search(name):
                path = os.path.join(root, name)
                files[module_of(src, path)] = path
    modules = set(files)
    edges = {m: set() for m in modules}
    for mod, path in files.items():
        with open(path, encoding="utf-8") as f:
            text = strip_comments_and_tests(f.read())
        for p in paths_in(text):
            target = resolve(p, mod, modules)
            if target is not None and target != mod and target in modules:
                # A parent's own items reached from a child (`super::Thing`) still count:
                # only the root (lib.rs) is exempt, as everything hangs off it.
                if target != ():
                    edges[mod].add(target)

    name = lambda m: "::".join(m) or "crate"
    # Tarjan's strongly connected components.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    if listing:
        for m in sorted(modules, key=name):
            print(f"{name(m)} -> {', '.join(sorted(name(t) for t in edges[m])) or '(nothing)'}")
    if sccs:
        for comp in sccs:
            members = set(comp)
            print("import cycle among: " + ", ".join(sorted(name(m) for m in comp)))
            for m in sorted(comp):
                for t in sorted(edges[m] & members):
                    print(f"  {name(m)} -> {name(t)}")
        sys.exit(1)
    print(f"no import cycles among {len(modules)} modules of {src}/ "
          f"({sum(len(e) for e in edges.values())} imports)")


if __name__ == "__main__":
    main()
