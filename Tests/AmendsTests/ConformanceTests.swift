// The conformance suite: every `*.policy` file under `Tests/AmendsTests/cases/`
// (recursively) is a set of small cases with their expected results written
// in comments, run by the one parameterised test below.
//
// # Format (normative)
//
// Chunks.
//   A line that is exactly `---` splits a file into independent cases
//   (chunks). Each chunk is parsed as its own source text, padded at the
//   front with line ends so that the line numbers of its diagnostics equal
//   the line numbers in the file. A chunk with no expectations must produce
//   no diagnostics at all.
//
// Expected diagnostics.
//   `# error[E023]: unknown duration unit` after the text of a line expects a
//   diagnostic of that level (`error`, `warning` or `note`) and code on THAT
//   line, whose message CONTAINS the text after the colon. The text is
//   optional: `# error[E023]` alone matches any message. The pattern is found
//   at any `#` of the line, so it may follow a comment.
//
//   A comment line whose `#` is followed by spaces and a `^`, e.g.
//
//       when severity >= high: follow up in 3 dayz
//       #                                      ^ error[E023]: unknown duration unit
//
//   expects the diagnostic on the nearest preceding line that is not itself
//   an expectation line (caret, `help:` or `sexpr:` line), AT THE COLUMN of
//   the caret. Columns are 1-based and count Unicode scalars, as
//   `SourceText.location` does (a tab is one column). Several caret lines may
//   stand under one line.
//
//   A line `#   help: did you mean` right after an expectation (on the line
//   below a trailing one, or below a caret line) additionally requires that
//   expectation's diagnostic to have a `help` containing the text.
//
// Expected trees.
//   `# sexpr: (rule ...)` lines: when a chunk has any, the chunk's
//   `SExpr.dump` must equal those lines' text, in order, one line per item.
//
// Matching.
//   Every diagnostic produced must be expected and every expectation met.
//   Each mismatch is its own issue, pointing at the `.policy` file and line,
//   with the diagnostic as rendered (`file:line:col: error[CODE]: message`
//   and its source line).
//
// Stages.
//   Cases under `syntax/` are only lexed and parsed (they may name things
//   they never declare). Every other case goes through the whole front end
//   (`Driver.compile`: load with `use` relative to the case file, check,
//   compile), and when it compiles, every `example` in it is run and must
//   pass: semantic rules are written as examples. Cases under `checker/`
//   get everything `amends check` reports for one file (`PolicyCheck.run`):
//   also the analyses and lints (W3xx, W4xx) and `# amends: allow` comments.
//
// The diagnostics of a chunk come from one function,
// `Conformance.diagnostics(for:name:)`.
import Testing
import Foundation
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The tests

@Suite("Conformance")
struct ConformanceTests {
    @Test("cases file", arguments: Conformance.files)
    func casesFile(_ name: String) {
        for problem in Conformance.check(file: name) {
            Issue.record(Comment(rawValue: problem.message), sourceLocation: problem.location)
        }
    }

    /// The suite must not silently vanish (a moved folder, a broken splitter).
    @Test func suiteHasEnoughCases() {
        let count = Conformance.files.reduce(0) { $0 + Conformance.chunks(file: $1).filter(\.hasSource).count }
        #expect(count >= 80, "only \(count) conformance cases found under \(Conformance.directory)")
    }

    // MARK: The runner checks itself

    @Test func runnerReportsAMissingAndAnUnexpectedDiagnostic() {
        let text = """
        when severity >= high: follow up in 3 dayz  # error[E022]
        when x = 1: notify a
        #               ^ error[E020]
        """
        let problems = Conformance.check(chunk: Conformance.chunks(name: "syntax/self.policy", bytes: Array(text.utf8))[0])
        #expect(problems.count == 3, "\(problems.map(\.message))")
        #expect(problems.contains { $0.message.contains("unexpected diagnostic") && $0.message.contains("E023") })
        #expect(problems.contains { $0.message.contains("error[E022]") && $0.location.line == 1 })
        #expect(problems.contains { $0.message.contains("error[E020]") && $0.location.line == 3 })
    }

    @Test func runnerChecksColumnMessageAndHelp() {
        func caret(_ column: Int) -> String { "#" + String(repeating: " ", count: column - 2) + "^" }
        let text = [
            "when severity >= high: follow up in 3 dayz",
            caret(39) + " error[E023]: unknown duration unit `dayz`",
            "#   help: did you mean `days`?",
            "when severity >= high: folow up in 3 days",
            caret(23) + " error[E022]", // `folow` is at column 24
            "when severity >= high: folow up in 3 days # error[E022]: no such text",
            "when severity >= high: folow up in 3 days # error[E022]",
            "#   help: no such help",
        ].joined(separator: "\n")
        let chunk = Conformance.chunks(name: "syntax/self.policy", bytes: Array(text.utf8))[0]
        #expect(chunk.expectations.count == 4)
        #expect(chunk.expectations.first?.column == 39)
        #expect(chunk.expectations.first?.help == "did you mean `days`?")
        let problems = Conformance.check(chunk: chunk)
        #expect(problems.map(\.location.line) == [5, 6, 7], "\(problems.map(\.message))")
    }

    @Test func runnerSplitsChunksAndKeepsLineNumbers() {
        let text = "when a = 1: notify b\n---\n\nwhen c: notify d\n---\nwen x: notify y # error[E021]\n"
        let chunks = Conformance.chunks(name: "syntax/self.policy", bytes: Array(text.utf8))
        #expect(chunks.count == 3)
        #expect(chunks.map(\.firstLine) == [1, 3, 6])
        let diagnostics = Conformance.diagnostics(for: chunks[2].source)
        #expect(diagnostics.map(\.location.line) == [6])
        #expect(Conformance.check(chunk: chunks[1]).isEmpty)
        #expect(Conformance.check(chunk: chunks[2]).isEmpty)
    }

    @Test func runnerComparesSExpressions() {
        let text = """
        when a = 1: notify b
        # sexpr: (rule (when (= a 1)) (notify c))
        # sexpr: (rule otherwise (notify b))
        """
        let problems = Conformance.check(chunk: Conformance.chunks(name: "syntax/self.policy", bytes: Array(text.utf8))[0])
        #expect(problems.count == 2, "\(problems.map(\.message))")
        #expect(problems.map(\.location.line) == [2, 3])
    }
}

// MARK: - The runner

enum Conformance {
    /// The folder of case files, found from this source file's path.
    static let directory: String = FileSystem.directory(of: #filePath) + "/cases"

    /// Every case file, as a path relative to `directory`, sorted.
    static let files: [String] = FileSystem.files(under: directory, suffixes: [".policy"]).map {
        String($0.dropFirst(directory.count + 1))
    }

    /// THE source of a chunk's diagnostics: the parser for `syntax/` cases,
    /// the whole front end for the others.
    static func diagnostics(for source: SourceText, name: String = "") -> [Diagnostic] {
        if name.hasPrefix("syntax/") { return Parser.parse(source).diagnostics }
        let compiled = compile(source, name: name)
        if name.hasPrefix("checker/") { return PolicyCheck.run(compiled).diagnostics }
        return compiled.diagnostics
    }

    static func compile(_ source: SourceText, name: String) -> Driver.Compiled {
        Driver.compile(source: source, directory: FileSystem.directory(of: directory + "/" + name))
    }

    /// Every example of a compiled chunk that does not pass, as problems.
    static func failingExamples(_ compiled: Driver.Compiled, name: String) -> [Problem] {
        guard let program = compiled.program else { return [] }
        let runner = ExampleRunner(program: program)
        var problems: [Problem] = []
        for example in compiled.model.examples {
            let result = runner.run(example)
            if result.passed { continue }
            var text = "example \(SExpr.quote(example.name)) fails"
            for m in result.missing { text += "\n  missing:    \(m.action.summary)" + (m.action.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? "") }
            for (e, a) in result.mismatched {
                text += "\n  expected:   \(e.action.summary)" + (e.action.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? "")
                text += "\n  but got:    \(a.summary)" + (a.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? "") + "  [\(a.because.map(\.description).joined(separator: "; "))]"
            }
            for u in result.unexpected {
                text += "\n  unexpected: \(u.summary)" + (u.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? "") + "  [\(u.because.map(\.description).joined(separator: "; "))]"
            }
            problems.append(Problem(message: text, location: location(name, line: example.ref.line)))
        }
        return problems
    }

    // MARK: Model

    struct Expectation: Sendable {
        var level: Diagnostic.Level
        var code: String
        var message: String?
        var help: String?
        /// Where the diagnostic is expected: 1-based line, and column for a caret.
        var line: Int
        var column: Int?
        /// The file line the expectation is written on.
        var writtenOn: Int

        var display: String {
            var s = "\(level.rawValue)[\(code)] at line \(line)"
            if let column { s += ", column \(column)" }
            if let message { s += ", message containing `\(message)`" }
            if let help { s += ", help containing `\(help)`" }
            return s
        }
    }

    struct Chunk: Sendable {
        var name: String
        var firstLine: Int
        var source: SourceText
        var expectations: [Expectation]
        /// `# sexpr:` texts with the file line each is written on.
        var sexprs: [(text: String, line: Int)]
        /// Malformed expectation lines.
        var problems: [Problem]
        /// False for a chunk of comments only (a file's header): not counted as a case.
        var hasSource: Bool
    }

    struct Problem: Sendable {
        var message: String
        var location: Testing.SourceLocation
    }

    static func location(_ name: String, line: Int, column: Int = 1) -> Testing.SourceLocation {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return Testing.SourceLocation(fileID: "AmendsTests/\(base)", filePath: directory + "/" + name,
                                      line: max(1, line), column: max(1, column))
    }

    // MARK: Reading case files

    static func chunks(file name: String) -> [Chunk] {
        switch FileSystem.read(directory + "/" + name) {
        case .success(let bytes): return chunks(name: name, bytes: bytes)
        case .failure: return []
        }
    }

    /// Splits a case file at `---` lines; blank chunks are dropped.
    static func chunks(name: String, bytes: [UInt8]) -> [Chunk] {
        var lines: [ArraySlice<UInt8>] = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let endsWithNewline = bytes.last == 0x0A
        if endsWithNewline { lines.removeLast() }
        var result: [Chunk] = []
        var start = 0
        func flush(_ end: Int) {
            defer { start = end + 1 }
            let body = lines[start..<end]
            if body.allSatisfy({ $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }) { return }
            var text = [UInt8](repeating: 0x0A, count: start)
            for (k, line) in body.enumerated() {
                text += line
                if start + k < lines.count - 1 || endsWithNewline { text.append(0x0A) }
            }
            let source = SourceText(path: "Tests/AmendsTests/cases/" + name, bytes: text)
            result.append(parseExpectations(name: name, firstLine: start + 1, lines: Array(body), source: source))
        }
        for (index, line) in lines.enumerated() where line.elementsEqual("---".utf8) || line.elementsEqual("---\r".utf8) {
            flush(index)
        }
        flush(lines.count)
        return result
    }

    private enum LineKind { case source, caret, help, sexpr }

    private static func parseExpectations(name: String, firstLine: Int, lines: [ArraySlice<UInt8>],
                                          source: SourceText) -> Chunk {
        var chunk = Chunk(name: name, firstLine: firstLine, source: source, expectations: [], sexprs: [], problems: [],
                          hasSource: false)
        var lastSourceLine = 0
        for (k, bytes) in lines.enumerated() {
            let lineNumber = firstLine + k
            let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
            var i = 0
            while i < scalars.count && (scalars[i] == " " || scalars[i] == "\t") { i += 1 }
            var kind = LineKind.source
            if i < scalars.count && scalars[i] == "#" {
                var j = i + 1
                while j < scalars.count && scalars[j] == " " { j += 1 }
                let rest = String(String.UnicodeScalarView(scalars[j...]))
                if rest.hasPrefix("^") {
                    kind = .caret
                    if lastSourceLine == 0 {
                        chunk.problems.append(Problem(message: "a caret expectation with no line above it",
                                                      location: location(name, line: lineNumber)))
                    } else if var e = parseExpectation(String(rest.dropFirst()), line: lastSourceLine, writtenOn: lineNumber) {
                        e.column = j + 1
                        chunk.expectations.append(e)
                    } else {
                        chunk.problems.append(Problem(message: "malformed caret expectation; write `#   ^ error[E023]: message`",
                                                      location: location(name, line: lineNumber)))
                    }
                } else if rest.hasPrefix("help:") {
                    kind = .help
                    let help = trimmed(rest.dropFirst(5))
                    if chunk.expectations.isEmpty || chunk.expectations[chunk.expectations.count - 1].help != nil {
                        chunk.problems.append(Problem(message: "a `help:` line must follow an expectation",
                                                      location: location(name, line: lineNumber)))
                    } else {
                        chunk.expectations[chunk.expectations.count - 1].help = help
                    }
                } else if rest.hasPrefix("sexpr:") {
                    kind = .sexpr
                    chunk.sexprs.append((trimmed(rest.dropFirst(6)), lineNumber))
                }
            }
            guard kind == .source else { continue }
            lastSourceLine = lineNumber
            if i < scalars.count && scalars[i] != "#" && scalars[i] != "\r" { chunk.hasSource = true }
            // A trailing expectation: `#`, spaces, `level[`, anywhere on the line.
            let text = String(String.UnicodeScalarView(scalars))
            var searchFrom = text.startIndex
            while let hash = text[searchFrom...].firstIndex(of: "#") {
                let after = text[text.index(after: hash)...].drop { $0 == " " }
                if let e = parseExpectation(String(after), line: lineNumber, writtenOn: lineNumber) {
                    chunk.expectations.append(e)
                    break
                }
                if after.hasPrefix("error[") || after.hasPrefix("warning[") || after.hasPrefix("note[") {
                    chunk.problems.append(Problem(message: "malformed expectation; write `# error[E023]: message`",
                                                  location: location(name, line: lineNumber)))
                    break
                }
                searchFrom = text.index(after: hash)
            }
        }
        return chunk
    }

    /// `level[CODE]` with an optional `: message`, after leading spaces.
    private static func parseExpectation(_ text: String, line: Int, writtenOn: Int) -> Expectation? {
        let s = text.drop { $0 == " " }
        guard let open = s.firstIndex(of: "["), let close = s[open...].firstIndex(of: "]") else { return nil }
        guard let level = Diagnostic.Level(rawValue: String(s[..<open])) else { return nil }
        let code = String(s[s.index(after: open)..<close])
        guard !code.isEmpty, code.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        var rest = s[s.index(after: close)...].drop { $0 == " " }
        var message: String?
        if rest.first == ":" {
            rest = rest.dropFirst()
            let m = trimmed(rest)
            message = m.isEmpty ? nil : m
        } else if !rest.isEmpty {
            return nil
        }
        return Expectation(level: level, code: code, message: message, help: nil, line: line, column: nil, writtenOn: writtenOn)
    }

    private static func trimmed<S: StringProtocol>(_ s: S) -> String {
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" || f == "\r" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\r" { t = t.dropLast() }
        return String(t)
    }

    // MARK: Checking

    static func check(file name: String) -> [Problem] {
        switch FileSystem.read(directory + "/" + name) {
        case .success(let bytes): return chunks(name: name, bytes: bytes).flatMap(check(chunk:))
        case .failure(let failure): return [Problem(message: "\(failure)", location: location(name, line: 1))]
        }
    }

    static func check(chunk: Chunk) -> [Problem] {
        var problems = chunk.problems
        let renderer = DiagnosticRenderer(color: false)
        func rendered(_ d: Diagnostic) -> String {
            var text = renderer.render(d)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        var diagnostics = diagnostics(for: chunk.source, name: chunk.name)
        var expectations = chunk.expectations
        if !chunk.name.hasPrefix("syntax/") {
            problems += failingExamples(compile(chunk.source, name: chunk.name), name: chunk.name)
        }

        func matches(_ e: Expectation, _ d: Diagnostic, strict: Bool) -> Bool {
            guard d.location.line == e.line, d.code.rawValue == e.code else { return false }
            guard strict else { return true }
            if d.level != e.level { return false }
            if let column = e.column, d.location.column != column { return false }
            if let message = e.message, !d.message.contains(message) { return false }
            if let help = e.help, !(d.help ?? "").contains(help) { return false }
            return true
        }
        // 1. Exact matches.
        expectations.removeAll { e in
            guard let k = diagnostics.firstIndex(where: { matches(e, $0, strict: true) }) else { return false }
            diagnostics.remove(at: k)
            return true
        }
        // 2. Right line and code, something else wrong: one issue for the pair.
        expectations.removeAll { e in
            guard let k = diagnostics.firstIndex(where: { matches(e, $0, strict: false) }) else { return false }
            let d = diagnostics.remove(at: k)
            var why: [String] = []
            if d.level != e.level { why.append("level is \(d.level.rawValue), expected \(e.level.rawValue)") }
            if let column = e.column, d.location.column != column { why.append("column is \(d.location.column), expected \(column)") }
            if let message = e.message, !d.message.contains(message) { why.append("message does not contain `\(message)`") }
            if let help = e.help, !(d.help ?? "").contains(help) {
                why.append(d.help == nil ? "there is no help, expected one containing `\(help)`"
                                         : "help does not contain `\(help)`")
            }
            problems.append(Problem(message: "diagnostic differs from the expectation (\(why.joined(separator: "; "))):\n"
                                        + rendered(d),
                                    location: location(chunk.name, line: e.writtenOn, column: e.column ?? 1)))
            return true
        }
        // 3. Expected, not produced.
        for e in expectations {
            problems.append(Problem(message: "expected \(e.display), but it was not produced",
                                    location: location(chunk.name, line: e.writtenOn, column: e.column ?? 1)))
        }
        // 4. Produced, not expected.
        for d in diagnostics {
            problems.append(Problem(message: "unexpected diagnostic:\n" + rendered(d),
                                    location: location(chunk.name, line: d.location.line, column: d.location.column)))
        }
        // 5. The tree.
        if !chunk.sexprs.isEmpty {
            var dump = SExpr.dump(Parser.parse(chunk.source)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if dump.last == "" { dump.removeLast() }
            for (k, expected) in chunk.sexprs.enumerated() {
                let actual = k < dump.count ? dump[k] : "nothing (the chunk has \(dump.count) items)"
                if actual != expected.text {
                    problems.append(Problem(message: "S-expression \(k + 1) differs\n  expected: \(expected.text)\n  actual:   \(actual)",
                                            location: location(chunk.name, line: expected.line)))
                }
            }
            if dump.count > chunk.sexprs.count, let last = chunk.sexprs.last {
                let extra = dump[chunk.sexprs.count...].joined(separator: "\n  ")
                problems.append(Problem(message: "the chunk has more items than `# sexpr:` lines:\n  \(extra)",
                                        location: location(chunk.name, line: last.line)))
            }
        }
        return problems
    }
}

/// The index of the cases by Grammar.md section (`cases/README.md`): a
/// reader goes from a section to its cases, so every section has some,
/// every listed file exists, and every case file is listed.
@Suite("Conformance index")
struct ConformanceIndexTests {
    static let root = Tool.packageRoot + "/Tests/AmendsTests/cases"

    /// The index's rows: section number and the paths in backticks.
    static func rows() -> [(section: Int, paths: [String])] {
        guard let text = try? String(contentsOfFile: root + "/README.md", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> (Int, [String])? in
            guard line.hasPrefix("| §"), let number = Int(line.dropFirst(3).prefix { $0.isNumber }) else { return nil }
            let paths = line.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            return (number, paths)
        }
    }

    @Test func everySectionHasCasesAndEveryListedFileExists() {
        let rows = Self.rows()
        #expect(Set(rows.map(\.section)) == Set(1...13), "sections listed: \(rows.map(\.section))")
        for row in rows {
            #expect(!row.paths.isEmpty, "§\(row.section) lists no case")
            for path in row.paths {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: Self.root + "/" + path, isDirectory: &isDirectory),
                        "cases/README.md lists `\(path)` for §\(row.section), which does not exist")
            }
        }
    }

    @Test func everyCaseFileIsListed() {
        let listed = Set(Self.rows().flatMap(\.paths))
        for file in Conformance.files where !file.contains("/use/") && !file.contains("/shared/") {
            #expect(listed.contains(file), "cases/README.md does not list `\(file)` under a section of Grammar.md")
        }
    }
}
