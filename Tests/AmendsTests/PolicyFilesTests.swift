import Testing
@testable import Amends

/// The policies shipped in `policies/`: each compiles with no diagnostic,
/// every example passes, every rule fires in some example, and the sample
/// records beside each policy run with exit status 0, one result per record,
/// no error line, and at least one required action per record.
///
/// A policy `policies/NAME.policy` has its samples beside it, named
/// `NAME.jsonl`, `NAME.json` or `NAME.csv`. The shared files under
/// `policies/common/` are only compiled: they have no rules or examples.
@Suite("Policy files")
struct PolicyFilesTests {
    static let folder = Tool.packageRoot + "/policies"

    /// Every policy file, relative to `policies/`, shared parts included.
    static let all: [String] = FileSystem.files(under: folder, suffixes: [".policy"]).map {
        String($0.dropFirst(folder.count + 1))
    }

    /// The policies a practice runs: the top-level files.
    static let main: [String] = all.filter { !$0.contains("/") }

    /// Fixed, so that `age` and the records without a clock do not depend on the wall clock.
    static let now = "2026-03-20T12:00:00Z"

    @Test func theShippedSetIsComplete() {
        for name in ["standard", "listen-and-follow-up", "when-to-apologise", "making-amends", "ranked-apology",
                     "five-steps", "servicenow", "law-firm", "accounting", "software-agency"] {
            #expect(Self.main.contains(name + ".policy"), "policies/\(name).policy is missing")
        }
    }

    @Test("compiles with no diagnostic", arguments: all)
    func compiles(_ name: String) throws {
        let compiled = try #require(try? Driver.compile(path: Self.folder + "/" + name).get(), "cannot read \(name)")
        let renderer = DiagnosticRenderer(color: false)
        for d in compiled.diagnostics {
            Issue.record(Comment(rawValue: renderer.render(d)), sourceLocation: Self.location(name, line: d.location.line))
        }
        #expect(compiled.program != nil)
    }

    @Test("every example passes, every rule fires in one", arguments: main)
    func examples(_ name: String) throws {
        let compiled = try #require(try? Driver.compile(path: Self.folder + "/" + name).get(), "cannot read \(name)")
        let program = try #require(compiled.program, "\(name) has errors")
        #expect(compiled.model.examples.count >= 3, "\(name) has too few examples")
        let runner = ExampleRunner(program: program)
        var fired = Set<Int>()
        for example in compiled.model.examples {
            let result = runner.run(example)
            fired.formUnion(result.outcome.fired.map(\.index))
            if !result.passed {
                Issue.record(Comment(rawValue: Self.describeFailure(result)),
                             sourceLocation: Self.location(name, line: example.ref.line))
            }
        }
        for rule in compiled.model.rules where !fired.contains(rule.index) {
            let label = rule.name.map { "rule \(SExpr.quote($0))" } ?? (rule.isOtherwise ? "`otherwise`" : "the rule")
            Issue.record("\(label) at \(rule.file):\(rule.line) fires in no example",
                         sourceLocation: Self.location(name, line: rule.line))
        }
    }

    @Test("sample records run cleanly", arguments: main)
    func samples(_ name: String) throws {
        let stem = String(name.dropLast(".policy".count))
        let samples = [".jsonl", ".json", ".csv"].map { Self.folder + "/" + stem + $0 }.filter(FileSystem.exists)
        try #require(!samples.isEmpty, "\(name) has no sample records (policies/\(stem).jsonl or .csv)")
        for sample in samples {
            let records = try Self.recordCount(sample)
            #expect(records >= 10, "\(sample) has only \(records) records")
            let r = Tool.run(["run", Self.folder + "/" + name, sample, "--now", Self.now])
            #expect(r.status == 0, "exit status \(r.status): \(r.stderr)")
            #expect(r.stderr.isEmpty, "\(r.stderr)")
            #expect(r.lines.count == records, "\(records) records in \(sample), \(r.lines.count) results")
            for (i, line) in r.lines.enumerated() {
                #expect(line.hasPrefix("{\"record\":\(i + 1),"), "result \(i + 1) out of order: \(line)")
                #expect(!line.contains("\"error\":"), "\(line)")
                #expect(line.contains("\"actions\":[{"), "record \(i + 1) of \(sample) requires nothing: \(line)")
            }
        }
    }

    // MARK: - Helpers

    /// Records in a sample: non-blank lines of JSON Lines, rows after the
    /// header of CSV (the samples have no line breaks inside fields).
    /// Records in a sample file, counted without the readers under test:
    /// non-blank lines, where a CSV line break inside quotes (a narrative
    /// over several lines) does not end a record.
    static func recordCount(_ path: String) throws -> Int {
        let bytes = try FileSystem.read(path).get()
        var lines: [ArraySlice<UInt8>] = []
        var start = 0, quoted = false
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\"") && path.hasSuffix(".csv") { quoted.toggle() }
            if b == 0x0A && !quoted {
                lines.append(bytes[start..<i])
                start = i + 1
            }
        }
        lines.append(bytes[start...])
        let records = lines.filter { line in line.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }
        return path.hasSuffix(".csv") ? records.count - 1 : records.count
    }

    static func describeFailure(_ result: ExampleRunner.Result) -> String {
        var text = "example \(SExpr.quote(result.example.name)) fails"
        for m in result.missing { text += "\n  missing:    \(m.action.summary)" }
        for (e, a) in result.mismatched {
            text += "\n  expected:   \(e.action.summary)\n  but got:    \(a.summary)"
        }
        for u in result.unexpected {
            text += "\n  unexpected: \(u.summary)  [\(u.because.map(\.description).joined(separator: "; "))]"
        }
        return text
    }

    static func location(_ name: String, line: Int) -> Testing.SourceLocation {
        Testing.SourceLocation(fileID: "AmendsTests/\(name)", filePath: folder + "/" + name, line: max(1, line), column: 1)
    }
}
