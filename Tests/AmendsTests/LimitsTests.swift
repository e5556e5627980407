#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Amends

/// Every limit of Grammar.md §12, at its edge: the value itself is
/// accepted, one past it is refused as the table says. `everyLimitIsTested`
/// keeps the table and these tests together: a row without a test here (or
/// named elsewhere) fails.
@Suite("Limits")
struct LimitsTests {
    /// Each row of the table (its first cell) and where it is tested.
    static let tested: [String: String] = [
        "policy file size": "RobustnessTests.aFileOver16MiBIsRefused, aFileOfExactly16MiBIsRead",
        "nesting of brackets and `not` in one expression": "nestingOfBracketsAndNot",
        "diagnostics shown per file": "RobustnessTests.aThousandLexicalErrorsStopAt200 and the two after it",
        "`use` depth": "useDepth; cases/checker/use/deep",
        "duration amount": "durationAmount",
        "record size (a JSON object, a CSV row, a line)": "recordSize",
        "line length in records": "lineLength, anUnclosedQuoteDoesNotTakeTheRestOfTheFile",
        "JSON nesting in a record": "RecordReaderTests.depthLimit",
        "records held in memory": "recordsHeldInMemory; RunnerTests.aFailedWriteStopsTheRun",
    ]

    /// The first cells of the rows of §12's table.
    static func tableRows() throws -> [String] {
        let text = String(decoding: try FileSystem.read(Tool.packageRoot + "/Grammar.md").get(), as: UTF8.self)
        let section = try #require(text.firstRange(of: "## 12. Limits"))
        var rows: [String] = []
        for line in text[section.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            guard line.hasPrefix("| "), !line.hasPrefix("| limit |") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            if cells.count > 1 { rows.append(String(cells[1].drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())) }
        }
        return rows
    }

    @Test func everyLimitIsTested() throws {
        let rows = try Self.tableRows()
        #expect(rows.count >= 9)
        for row in rows { #expect(Self.tested[row] != nil, "Grammar.md §12 lists `\(row)`, with no test named here") }
        for name in Self.tested.keys { #expect(rows.contains(name), "`\(name)` is no longer in Grammar.md §12") }
    }

    // MARK: - The policy text

    static func codes(_ text: String) -> [DiagnosticCode] {
        Parser.parse(SourceText(path: "t.policy", text: text)).diagnostics.map(\.code)
    }

    @Test func nestingOfBracketsAndNot() {
        func parens(_ n: Int) -> String {
            "when " + String(repeating: "(", count: n) + "x = 1" + String(repeating: ")", count: n) + ": notify a\n"
        }
        func nots(_ n: Int) -> String { "when " + String(repeating: "not ", count: n) + "x = 1: notify a\n" }
        #expect(Self.codes(parens(64)) == [])
        #expect(Self.codes(parens(65)) == [.nestingTooDeep])
        #expect(Self.codes(nots(64)) == [])
        #expect(Self.codes(nots(65)) == [.nestingTooDeep])
    }

    @Test func durationAmount() {
        #expect(Self.codes("when x = 1: follow up in 1000000 minutes\n") == [])
        #expect(Self.codes("when x = 1: follow up in 1000001 minutes\n") == [.invalidNumber])
    }

    /// A main policy and a chain of files each using the next: 32 files in
    /// all are loaded, a 33rd is `E203`.
    @Test(arguments: [32, 33])
    func useDepth(files: Int) {
        let read: Loader.ReadFile = { path in
            let name = String(path.split(separator: "/").last ?? "")
            guard name.hasPrefix("f"), let k = Int(name.dropFirst().dropLast(".policy".count)) else {
                return .failure(FileSystem.Failure(path: path, reason: "no such file or directory"))
            }
            let text = k + 1 < files ? "use \"f\(k + 1).policy\"\n" : "roles: owner\n"
            return .success(Array(text.utf8))
        }
        let loaded = Loader.load(source: SourceText(path: "main.policy", text: "use \"f1.policy\"\n"), read: read)
        #expect(loaded.diagnostics.map(\.code) == (files <= Loader.maxDepth ? [] : [.useTooDeep]))
        #expect(loaded.files.count == min(files, Loader.maxDepth))
    }

    // MARK: - Records

    static let policy = """
        record incident:
          id: text
          note: text?
        roles: owner
        when note contains "x": notify owner
        """

    static func outcomes(_ bytes: [UInt8], format: RecordFormat) throws -> [String] {
        let schema = RecordSchema(model: Checker.check(Loader.load(source: SourceText(path: "t.policy", text: policy))).0, zone: .utc)
        return RecordReaderTests.outcomes(bytes, schema, format: format, batch: 2)
    }

    static let mebibyte = 1 << 20

    /// A JSON Lines record of exactly 1 MiB is read; one byte more is an
    /// error line, and the record after it is read.
    @Test func recordSize() throws {
        func line(_ id: String, size: Int) -> String {
            let head = "{\"id\": \"\(id)\", \"note\": \""
            return head + String(repeating: "y", count: size - head.utf8.count - 2) + "\"}"
        }
        let fits = line("B", size: Self.mebibyte), over = line("C", size: Self.mebibyte + 1)
        #expect(fits.utf8.count == Self.mebibyte && over.utf8.count == Self.mebibyte + 1)
        let jsonl = "{\"id\": \"A\"}\n\(fits)\n\(over)\n{\"id\": \"D\"}\n"
        #expect(try Self.outcomes(Array(jsonl.utf8), format: .jsonLines)
                == ["1@1 A", "2@2 B", "3@3 error: record 3 is larger than 1 MiB", "4@4 D"])
        // A CSV row: the same, its quoted field holding line ends.
        let cell = String(repeating: "z\n", count: Self.mebibyte / 2)
        let csv = "id,note\nA,\nB,\"\(cell)\"\nC,x\n"
        #expect(try Self.outcomes(Array(csv.utf8), format: .csv)
                == ["1@2 A", "2@3 error: record 2 is larger than 1 MiB", "3@\(4 + Self.mebibyte / 2) C"])
    }

    /// Lines are bounded by the record they are in; between JSON values
    /// nothing is kept, however long the line. The stream's buffer never
    /// grows past one chunk and one record.
    @Test func lineLength() throws {
        let long = String(repeating: "w", count: 5 * Self.mebibyte)
        let jsonl = "{\"id\": \"A\"}\n{\"id\": \"B\", \"note\": \"\(long)\"}\n{\"id\": \"C\"}\n"
        let stream = RecordStream(bytes: Array(jsonl.utf8), format: .jsonLines)
        var count = 0
        while let batch = stream.nextBatch(maxRecords: 10) { count += batch.count }
        #expect(count == 3)
        #expect(stream.buffer.count <= RecordStream.defaultChunkSize + RecordStream.defaultMaxRecordSize + 1)
        #expect(try Self.outcomes(Array(jsonl.utf8), format: .jsonLines)
                == ["1@1 A", "2@2 error: record 2 is larger than 1 MiB", "3@3 C"])
        let spaces = String(repeating: " ", count: 5 * Self.mebibyte)
        let json = "[{\"id\": \"A\"},\(spaces){\"id\": \"B\"}]"
        #expect(try Self.outcomes(Array(json.utf8), format: .json) == ["1@1 A", "2@1 B"])
        let csv = "id,note\nA,\(long)\nB,x\n"
        #expect(try Self.outcomes(Array(csv.utf8), format: .csv)
                == ["1@2 error: record 1 is larger than 1 MiB", "2@3 B"])
    }

    /// A batch holds at most the records asked for (the Runner asks for
    /// 1,024) and stops growing at 8 MiB; the stream's own buffer stays at
    /// one chunk and one record, whatever the input's length.
    @Test func recordsHeldInMemory() throws {
        let small = String(repeating: "{\"id\": \"A\", \"note\": \"x\"}\n", count: 300_000)     // about 8 MiB
        let stream = RecordStream(bytes: Array(small.utf8), format: .jsonLines)
        var total = 0
        while let batch = stream.nextBatch(maxRecords: 1_024) {
            #expect(batch.count <= 1_024)
            total += batch.count
        }
        #expect(total == 300_000)
        let big = "{\"id\": \"B\", \"note\": \"" + String(repeating: "v", count: 600_000) + "\"}\n"
        let bigs = RecordStream(bytes: Array(String(repeating: big, count: 40).utf8), format: .jsonLines)
        total = 0
        while let batch = bigs.nextBatch(maxRecords: 1_024) {
            #expect(batch.bytes.count <= RecordStream.maxBatchBytes + RecordStream.defaultMaxRecordSize)
            #expect(batch.count < 40)
            total += batch.count
        }
        #expect(total == 40)
        #expect(bigs.buffer.count <= RecordStream.defaultChunkSize + RecordStream.defaultMaxRecordSize + 1)
    }

    /// A stray quote early in a 2 MiB CSV file: one error line, and every
    /// record after it still read (the file is read again from the line
    /// after the quote). Through a pipe that cannot be done, and the error
    /// line says the rest of the input was in that record.
    @Test func anUnclosedQuoteDoesNotTakeTheRestOfTheFile() throws {
        let dir = "/tmp/amends-limits-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o755)
        defer {
            unlink(dir + "/p.policy")
            unlink(dir + "/in.csv")
            rmdir(dir)
        }
        _ = FileSystem.writeAtomically(dir + "/p.policy", Array(Self.policy.utf8))
        let rows = 100_000
        let csv = "id,note\nA,x\nB,\"a stray quote\n" + String(repeating: "C,plain text of some twenty bytes\n", count: rows)
        _ = FileSystem.writeAtomically(dir + "/in.csv", Array(csv.utf8))
        let r = Tool.run(["run", dir + "/p.policy", dir + "/in.csv", "--now", "2026-03-02T10:00:00Z"])
        #expect(r.status == 1)
        #expect(r.lines.count == rows + 2)
        #expect(r.lines.count > 1 && r.lines[1] == #"{"record":2,"line":3,"error":"record 2 is larger than 1 MiB (a quote in it is never closed; reading goes on at line 4)"}"#)
        #expect(r.lines.last?.hasPrefix("{\"record\":\(rows + 2),\"id\":\"C\"") == true)
        let piped = Tool.shell("cat \(dir)/in.csv | \"$AMENDS\" run \(dir)/p.policy - --now 2026-03-02T10:00:00Z")
        #expect(piped.status == 1)
        #expect(piped.lines.count == 2)
        #expect(piped.lines.last?.contains("a quote in it is never closed, so the rest of the input was in it") == true)
    }
}
