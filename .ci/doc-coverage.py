#!/usr/bin/env python3
"""Doc-comment coverage of the public API of Slope's library targets.

Lists every declaration that a client of the package can see (``public``/``open``, or implied
public: members of a ``public extension``, requirements of a public protocol, cases of a public
enum) that lacks a ``///`` doc comment, and every public ``func``/``init``/``subscript`` whose doc
comment does not document

- each of its parameters (``- Parameters:`` with ``- name:`` items, or ``- Parameter name:``),
- a non-``Void`` result (``- Returns:``),
- a ``throws``/``rethrows`` (``- Throws:``),

and every documented parameter name that the signature does not have (DocC warns about those).

Usage: ``.ci/doc-coverage.py [--strict] [--quiet] [--self-test] [DIR ...]`` (default dirs: Sources/Slope
Sources/SlopeInteract). Prints one line per finding and a count per kind; exits 1 with
``--strict`` when anything is missing, else 0 (report only).

It reads Swift source with a small lexer (strings and comments blanked, brace scopes tracked), so
multi-line signatures, attributes on their own lines, closures in parameter types and default
values, and nested types are handled; function bodies are skipped.
"""

import os
import re
import sys

DECL_KEYWORDS = ("func", "init", "subscript", "var", "let", "class", "struct", "enum",
                 "protocol", "typealias", "case", "actor", "extension", "associatedtype",
                 "deinit", "macro")
TYPE_KEYWORDS = ("class", "struct", "enum", "protocol", "actor", "extension")
MODIFIERS = {"public", "open", "internal", "fileprivate", "private", "package", "static", "final",
             "override", "mutating", "nonmutating", "convenience", "required", "lazy", "weak",
             "unowned", "dynamic", "indirect", "nonisolated", "prefix", "postfix", "infix",
             "optional", "class", "consuming", "borrowing", "isolated"}
DEFAULT_DIRS = ["Sources/Slope", "Sources/SlopeInteract"]
ACCESS = {"public", "open", "internal", "fileprivate", "private", "package"}


def blank_code(text):
    """Returns (code, comments): the source with string literal contents and all comments
    replaced by spaces (newlines kept), and for each line the text of its `///` doc comment
    (or None)."""
    out = []
    i, n = 0, len(text)
    doc_lines = {}
    line = 0
    # Stack of string contexts: each (quote_len, hashes) while inside a literal; interpolation
    # pushes a code context marked by its paren depth.
    def emit(ch):
        out.append(ch if ch == "\n" else " ")

    mode_stack = []  # entries: ("str", quotes, hashes) or ("interp", depth)
    while i < n:
        c = text[i]
        top = mode_stack[-1] if mode_stack else None
        if top is not None and top[0] == "str":
            _, quotes, hashes = top
            # Interpolation start: backslash, hashes, then "(".
            esc = "\\" + "#" * hashes
            if text.startswith(esc + "(", i):
                for ch in esc:
                    emit(ch)
                out.append("(")
                i += len(esc) + 1
                mode_stack.append(("interp", 1))
                continue
            if text.startswith(esc, i) and hashes == 0 and i + 1 < n:
                emit(text[i]); emit(text[i + 1])
                if text[i + 1] == "\n":
                    line += 1
                i += 2
                continue
            close = '"' * quotes + "#" * hashes
            if text.startswith(close, i):
                out.append(close)
                i += len(close)
                mode_stack.pop()
                continue
            if c == "\n":
                line += 1
            emit(c)
            i += 1
            continue
        # Code (top level or inside an interpolation).
        if text.startswith("///", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            doc_lines[line] = text[i + 3:j]
            for _ in range(i, j):
                out.append(" ")
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth += 1; j += 2
                elif text.startswith("*/", j):
                    depth -= 1; j += 2
                else:
                    j += 1
            for ch in text[i:j]:
                if ch == "\n":
                    line += 1
                emit(ch)
            i = j
            continue
        m = re.match(r'(#*)("""|")', text[i:i + 8])
        if m and (m.group(1) == "" or True):
            hashes = len(m.group(1))
            quotes = len(m.group(2))
            if hashes and not text.startswith("#" * hashes + '"', i):
                pass
            else:
                out.append(text[i:i + hashes + quotes])
                i += hashes + quotes
                mode_stack.append(("str", quotes, hashes))
                continue
        if top is not None and top[0] == "interp":
            if c == "(":
                mode_stack[-1] = ("interp", top[1] + 1)
            elif c == ")":
                if top[1] == 1:
                    mode_stack.pop()
                    out.append(")")
                    i += 1
                    continue
                mode_stack[-1] = ("interp", top[1] - 1)
        if c == "\n":
            line += 1
        out.append(c)
        i += 1
    return "".join(out), doc_lines


class Scope:
    def __init__(self, kind, public, protocol=False, enum=False, explicit_public=False):
        self.kind = kind            # "file", "type" or "body"
        self.public = public        # members can be public
        self.protocol = protocol    # members are implied public (protocol requirements)
        self.enum = enum            # `case` declares public cases
        self.explicit_public = explicit_public  # `public extension`: members default public


def split_top(s, sep=","):
    """Splits s at `sep` outside (), [], <> and {}."""
    parts, depth, cur = [], 0, []
    for k, ch in enumerate(s):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>" and not (ch == ">" and k > 0 and s[k - 1] == "-"):
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur)); cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def matching_paren(s, start):
    depth = 0
    for k in range(start, len(s)):
        if s[k] == "(":
            depth += 1
        elif s[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def parse_signature(kw, sig):
    """For a func/init/subscript signature (text from the keyword to the body), returns
    (parameter names, returns a non-Void value, throws)."""
    # Skip the name and generic parameter clause to the parameter list's "(".
    k = sig.find("(")
    if k < 0:
        return [], False, False
    end = matching_paren(sig, k)
    if end < 0:
        return [], False, False
    params = []
    for p in split_top(sig[k + 1:end]):
        head = p.split(":", 1)[0].split()
        head = [h for h in head if h not in ("inout", "borrowing", "consuming", "isolated")]
        if not head:
            continue
        name = head[1] if len(head) > 1 else head[0]
        if name == "_":
            name = head[0]
        params.append(name)
    rest = sig[end + 1:]
    rest = re.split(r"\bwhere\b", rest)[0]
    throws = re.search(r"\b(throws|rethrows)\b", rest.split("->")[0]) is not None
    returns = False
    if kw in ("func", "subscript"):
        depth, arrow = 0, -1
        for j, ch in enumerate(rest):
            if ch in "([<":
                depth += 1
            elif ch in ")]>":
                if not (ch == ">" and j > 0 and rest[j - 1] == "-"):
                    depth -= 1
            if depth == 0 and rest.startswith("->", j):
                arrow = j
                break
        if arrow >= 0:
            ret = rest[arrow + 2:].strip()
            returns = ret not in ("Void", "()", "Never", "")
    return params, returns, throws


def documented_parameters(doc):
    names = set()
    in_list = False
    for ln in doc:
        s = ln.strip()
        m = re.match(r"-\s+[Pp]arameter\s+([A-Za-z_][A-Za-z0-9_]*)\s*:", s)
        if m:
            names.add(m.group(1)); in_list = False
            continue
        if re.match(r"-\s+Parameters\s*:\s*$", s):
            in_list = True
            continue
        if in_list:
            m = re.match(r"-\s+([A-Za-z_][A-Za-z0-9_]*)\s*:", s)
            if m and m.group(1).lower() not in ("returns", "throws", "note", "precondition",
                                                  "important", "warning", "complexity"):
                names.add(m.group(1))
                continue
            if re.match(r"-\s+[A-Za-z]+\s*:", s):
                in_list = False
    return names


def has_field(doc, field):
    return any(re.match(r"-\s+%s\s*:" % field, ln.strip()) for ln in doc)


def check_file(path, internal_types, findings, checked):
    text = open(path, encoding="utf-8").read()
    code, docs = blank_code(text)
    lines = code.split("\n")
    raw_lines = text.split("\n")
    scopes = [Scope("file", True)]
    paren = 0
    pending = None   # (kind, Scope-to-push) for the next "{" at paren depth 0
    li = 0
    while li < len(lines):
        ln = lines[li]
        scope = scopes[-1]
        stripped = ln.strip()
        if scope.kind != "body" and paren == 0 and stripped and not stripped.startswith("#"):
            decl = parse_decl_start(stripped)
            if decl is not None:
                kw, mods, name = decl
                # Signature text: up to the "{" at depth 0, or through continuation lines.
                sig, last = signature_text(lines, li, kw)
                public = is_public(kw, mods, scope)
                if kw in TYPE_KEYWORDS:
                    ext_public = True
                    if kw == "extension":
                        base = name.split(".")[0]
                        ext_public = base not in internal_types
                    member_scope = Scope(
                        "type",
                        public=(scope.public and (ext_public if kw == "extension" else public)),
                        protocol=(kw == "protocol"),
                        enum=(kw == "enum"),
                        explicit_public=(kw == "extension" and ("public" in mods or "open" in mods)))
                    pending = member_scope
                else:
                    pending = None
                if public and scope.public and kw not in ("extension", "deinit"):
                    checked[0] += 1
                    doc = doc_above(docs, raw_lines, li)
                    check_decl(path, li + 1, kw, name, sig, doc, findings)
        # Walk the characters for scopes.
        for ch in ln:
            if ch in "([":
                paren += 1
            elif ch in ")]":
                paren -= 1
            elif ch == "{":
                if pending is not None and paren == 0:
                    scopes.append(pending)
                else:
                    scopes.append(Scope("body", False))
                pending = None
            elif ch == "}":
                if len(scopes) > 1:
                    scopes.pop()
                pending = None
        li += 1


DECL_RE = re.compile(r"^((?:@[A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?\s+)*)((?:[a-z]+(?:\([a-z]+\))?\s+)*)"
                     r"(%s)\b\s*(.*)$" % "|".join(DECL_KEYWORDS))


def parse_decl_start(s):
    m = DECL_RE.match(s)
    if not m:
        return None
    mods = m.group(2).split()
    base_mods = [re.sub(r"\(.*\)", "", x) for x in mods]
    if any(x not in MODIFIERS for x in base_mods):
        return None
    kw = m.group(3)
    rest = m.group(4)
    if kw == "class" and re.match(r"(func|var|let|subscript)\b", rest):
        # `class func`: a modifier, not a class declaration.
        sub = parse_decl_start(" ".join(mods + ["static", rest]))
        return sub
    nm = re.match(r"`?([A-Za-z_][A-Za-z0-9_.]*|[^\sA-Za-z0-9_({:]+)`?", rest)
    name = nm.group(1) if nm else rest[:20]
    if kw in ("init", "subscript", "deinit"):
        name = kw
    return kw, base_mods, name


def signature_text(lines, li, kw):
    parts, depth, j = [], 0, li
    while j < len(lines):
        seg = lines[j]
        for k, ch in enumerate(seg):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "{" and depth == 0:
                parts.append(seg[:k])
                return " ".join(parts), j
            elif ch == "=" and depth == 0 and kw in ("var", "let", "case", "typealias"):
                parts.append(seg[:k])
                return " ".join(parts), j
        parts.append(seg)
        nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
        if depth <= 0 and not re.match(r"(->|throws|rethrows|async|where|:|,)", nxt) \
                and not seg.rstrip().endswith((",", "->", "&", ":")):
            return " ".join(parts), j
        j += 1
    return " ".join(parts), j


def is_public(kw, mods, scope):
    if "public" in mods or "open" in mods:
        return True
    if any(m in ("internal", "fileprivate", "private", "package") for m in mods):
        return False
    if scope.protocol:
        return kw != "case"
    if kw == "case" and scope.enum:
        return True
    if scope.explicit_public and kw not in TYPE_KEYWORDS:
        return True
    return False


def doc_above(docs, raw_lines, li):
    """The `///` lines directly above line li, skipping attribute-only lines."""
    j = li - 1
    while j >= 0 and re.match(r"^\s*@[A-Za-z_]", raw_lines[j]) and j not in docs:
        j -= 1
    doc = []
    while j >= 0 and j in docs:
        doc.append(docs[j])
        j -= 1
    doc.reverse()
    return doc


def check_decl(path, line, kw, name, sig, doc, findings):
    where = "%s:%d: %s %s" % (path, line, kw, name)
    if not any(d.strip() for d in doc):
        findings.append(("undocumented", where))
        return
    if kw not in ("func", "init", "subscript"):
        return
    params, returns, throws = parse_signature(kw, sig)
    documented = documented_parameters(doc)
    missing = [p for p in params if p not in documented]
    if missing:
        findings.append(("parameters", "%s: no `- Parameter` for %s" % (where, ", ".join(missing))))
    stale = sorted(documented - set(params))
    if stale:
        findings.append(("stale", "%s: documents parameters it does not have: %s" %
                         (where, ", ".join(stale))))
    if returns and not has_field(doc, "Returns"):
        findings.append(("returns", "%s: no `- Returns:`" % where))
    if throws and not has_field(doc, "Throws"):
        findings.append(("throws", "%s: no `- Throws:`" % where))


def swift_files(dirs):
    for d in dirs:
        if os.path.isfile(d):
            yield d
            continue
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if f.endswith(".swift"):
                    yield os.path.join(root, f)


def internal_type_names(paths):
    """Names of types declared without public/open anywhere (extensions of these are internal)."""
    names, public = set(), set()
    for p in paths:
        code, _ = blank_code(open(p, encoding="utf-8").read())
        for ln in code.split("\n"):
            d = parse_decl_start(ln.strip())
            if d and d[0] in ("class", "struct", "enum", "protocol", "actor", "typealias"):
                (public if ("public" in d[1] or "open" in d[1]) else names).add(d[2])
    return names - public


SELF_TEST_SOURCE = r"""
/// Documented.
public struct Good {
    /// Documented, every field.
    ///
    /// - Parameters:
    ///   - lhs: One.
    ///   - other: The other (internal name).
    /// - Returns: A value.
    /// - Throws: Never really.
    @discardableResult
    public func combine(
        _ lhs: Int,
        with other: (Int, Int) -> Int = { a, b in a + b }
    ) throws -> Int { 0 }
    /// No result, no fields needed.
    public func reset() {}
    /// A property.
    public var count: Int { let s = "public func hidden() -> Int"; return s.count }
    private func helper(_ x: Int) -> Int { x }
    /// One parameter, documented with the singular form.
    /// - Parameter value: It.
    public init(value: Int) {}
    public init() {}
}

struct Internal {
    public func notExported(_ x: Int) -> Int { x }
}

extension Internal {
    public func alsoNotExported() {}
}

/// Documented.
public enum Choice {
    /// A case.
    case one
    case two(String)
}

/// Documented.
public protocol Shape {
    func area(scale: Double) -> Double
}

extension Array {
    /// Half the fields.
    ///
    /// - Parameter index: A position.
    public func pick(_ index: Int, or fallback: Element) rethrows -> Element { self[index] }
    /// Documents a parameter it does not have.
    ///
    /// - Parameter gradient: Wrong name.
    public func update(gradient grad: Int) {}
}

public func undocumentedFree() {}
"""

SELF_TEST_EXPECTED = sorted([
    ("undocumented", "init init"),
    ("undocumented", "case two"),
    ("undocumented", "func area"),
    ("parameters", "func pick: no `- Parameter` for fallback"),
    ("returns", "func pick: no `- Returns:`"),
    ("throws", "func pick: no `- Throws:`"),
    ("parameters", "func update: no `- Parameter` for grad"),
    ("stale", "func update: documents parameters it does not have: gradient"),
    ("undocumented", "func undocumentedFree"),
])


def self_test():
    """Runs the checker on a snippet with the cases it must get right (multi-line signatures,
    attributes, closures with defaults, strings that look like code, internal types and their
    extensions, enum cases, protocol requirements, internal parameter names) and compares."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "Sample.swift")
        with open(path, "w", encoding="utf-8") as f:
            f.write(SELF_TEST_SOURCE)
        findings, checked = [], [0]
        check_file(path, internal_type_names([path]), findings, checked)
    got = sorted((kind, re.sub(r"^.*?:\d+: ", "", msg)) for kind, msg in findings)
    expected = SELF_TEST_EXPECTED
    if got != expected:
        print("doc-coverage self-test FAILED")
        print("expected:", *expected, sep="\n  ")
        print("got:", *got, sep="\n  ")
        return 1
    print("doc-coverage self-test passed (%d findings on %d declarations)" % (len(got), checked[0]))
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    strict = "--strict" in argv
    quiet = "--quiet" in argv
    dirs = [a for a in argv if not a.startswith("--")] or DEFAULT_DIRS
    paths = list(swift_files(dirs))
    internal = internal_type_names(list(swift_files(DEFAULT_DIRS)) + paths)
    findings, checked = [], [0]
    for p in paths:
        check_file(p, internal, findings, checked)
    if not quiet:
        for _, msg in findings:
            print(msg)
    kinds = ["undocumented", "parameters", "returns", "throws", "stale"]
    counts = {k: sum(1 for f in findings if f[0] == k) for k in kinds}
    print("doc coverage (%s): %d public declarations, %d undocumented; missing - Parameter: %d, "
          "- Returns: %d, - Throws: %d; stale parameter names: %d" %
          (" ".join(dirs), checked[0], counts["undocumented"], counts["parameters"], counts["returns"],
           counts["throws"], counts["stale"]))
    if strict and findings:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
