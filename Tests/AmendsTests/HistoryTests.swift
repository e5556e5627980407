// History (Grammar.md §5): the tracker that works out each record's facts
// in input order, held to the plain statement of `ReferenceHistory`, the
// same whatever the threads and batches, and bounded in memory.
import Testing
@testable import Amends

@Suite("History")
struct HistoryTests {
    static let policy = """
    record incident:
      client: text?
      category: one of billing, delivery, quality
      reported: time?
    deadlines from reported
    history by client
    roles: a, b, c, d
    when earlier within 10 days >= 2: notify a
    when earlier (category = billing) within 30 days >= 1: notify b
    when since last within 5 days < 1 day: notify c
    when since last (category != quality) within 30 days > 3 days: notify d
    """

    /// Records of a few clients over 60 days, mostly in time order, some
    /// out of it, some without a client or a time, some broken.
    static func input(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var text = ""
        var day = 0
        for i in 0..<count {
            if rng.next() % 3 == 0 { day += 1 }
            let back = rng.next() % 8 == 0 ? Int(rng.next() % 20) : 0   // out of time order
            let d = max(0, day - back), h = Int(rng.next() % 24)
            let time = "\"2026-\(d < 31 ? "01" : "02")-\(String(format: "%02d", d < 31 ? d + 1 : d - 30))T\(String(format: "%02d", h)):00:00Z\""
            let client = rng.next() % 10 == 0 ? "null" : "\"C\(rng.next() % 7)\""
            let category = ["billing", "delivery", "quality"][Int(rng.next() % 3)]
            switch rng.next() % 25 {
            case 0: text += "{\"client\": \(client), \"category\": \"nope\", \"reported\": \(time)}\n"
            case 1: text += "{\"client\": \(client), \"category\": \"\(category)\"}\n"
            default: text += "{\"client\": \(client), \"category\": \"\(category)\", \"reported\": \(time), \"n\": \(i)}\n"
            }
        }
        return Array(text.utf8)
    }

    /// Each record's history facts as the Runner worked them out.
    static func run(_ program: Program, _ bytes: [UInt8], threads: Int, batchSize: Int) -> [String] {
        var options = Runner.Options()
        options.threads = threads
        options.batchSize = batchSize
        options.annotate = { _, record in
            Array(("[" + record.history.map { $0.isNaN ? "null" : SExpr.number($0) }.joined(separator: ",") + "]").utf8)
        }
        let runner = Runner(program: program, options: options)
        var out: [UInt8] = []
        _ = runner.run(RecordStream(bytes: bytes, format: .jsonLines)) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map { line in
            guard let start = line.range(of: "\"explain\":") else { return "error" }
            return String(line[start.upperBound...].prefix { $0 != "]" }) + "]"
        }
    }

    /// The same facts, from `ReferenceHistory` over the decoded records.
    static func reference(_ program: Program, _ bytes: [UInt8]) -> [String] {
        let stream = RecordStream(bytes: bytes, format: .jsonLines)
        var decoder = RecordDecoder(schema: program.schema, format: .jsonLines, columnMap: nil)
        var records: [RecordBuffer] = []
        var broken: Set<Int> = []
        while let batch = stream.nextBatch(maxRecords: 100) {
            for i in 0..<batch.count {
                var r = RecordBuffer(fieldCount: program.schema.fields.count)
                if decoder.decode(batch, i, into: &r) != nil {
                    broken.insert(records.count)
                    r = RecordBuffer(fieldCount: program.schema.fields.count)
                }
                records.append(r)
            }
        }
        let values = ReferenceHistory.values(records, model: program.model)
        return values.enumerated().map { i, facts in
            broken.contains(i) ? "error" : "[" + facts.map { $0.map(SExpr.number) ?? "null" }.joined(separator: ",") + "]"
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func theTrackerAgreesWithTheReferenceWhateverTheThreads(seed: UInt64) throws {
        let program = try Fixtures.program(Self.policy)
        let bytes = Self.input(1_500, seed: seed)
        let expected = Self.reference(program, bytes)
        #expect(expected.count == 1_500)
        // The facts vary: the comparison tests something.
        #expect(Set(expected).count > 50)
        for (threads, batchSize) in [(1, 1024), (1, 1), (3, 7), (4, 64)] {
            let facts = Self.run(program, bytes, threads: threads, batchSize: batchSize)
            #expect(facts.count == expected.count)
            let differing = zip(facts, expected).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(differing.isEmpty, "\(threads) threads, batches of \(batchSize): record \((differing.first?.offset ?? 0) + 1): \(differing.first.map { "\($0.element.0) != \($0.element.1)" } ?? "")")
        }
    }

    @Test func memoryIsBoundedByTheKeysWithinTheLongestWindow() throws {
        let program = try Fixtures.program("""
        record incident:
          client: text
          reported: time
        deadlines from reported
        history by client
        roles: a
        when earlier within 1 day >= 1: notify a
        """)
        guard let tracker = HistoryTracker(program: program) else {
            Issue.record("no tracker")
            return
        }
        // 20,000 clients, 500 a day for 40 days, one incident each: at most
        // twice the keys of the last day (a window) and 1,024 are held.
        var turn = 0
        for day in 0..<40 {
            var facts: [HistoryTracker.Fact] = []
            for k in 0..<500 {
                let client = day * 500 + k
                facts.append(HistoryTracker.Fact(key: .text(Array("C\(client)".utf8)),
                                                 time: 1_767_225_600 + Int64(day) * 86_400 + Int64(k) * 172, mask: 0))
            }
            _ = tracker.apply(facts, turn: turn)
            turn += 1
        }
        let held = tracker.held
        #expect(held.keys <= 2 * 1_000 + 1_024 && held.incidents == held.keys, "\(held)")
    }

    @Test func anExampleIsOneIncidentAlone() throws {
        let program = try Fixtures.program(Self.policy)
        let runner = ExampleRunner(program: program)
        let record = runner.record(for: ExampleModel(name: "x", record: [(0, .text("C1")), (2, .time(1_767_225_600))],
                                                     now: nil, expectations: [], ref: SourceRef(program.model.sources[0], .none)))
        #expect(record.history.map { $0.isNaN ? -1 : $0 } == [0, 0, -1, -1])
    }

    /// `--history FILE`: its records are the earlier incidents of the
    /// inputs after it, and give no results; its bad records are counted.
    @Test func aHistoryFileIsReadFirstAndWritesNothing() throws {
        let program = try Fixtures.program(Self.policy)
        let runner = Runner(program: program, options: Runner.Options())
        let past = Array("""
        {"client": "C1", "category": "billing", "reported": "2026-03-01T09:00:00Z"}
        {"client": "C1", "category": "billing", "reported": "2026-03-02T09:00:00Z"}
        {"client": "C1", "category": "nope", "reported": "2026-03-02T09:00:00Z"}

        """.utf8)
        let summary = runner.readHistory(RecordStream(bytes: past, format: .jsonLines))
        #expect(summary.records == 3 && summary.errors == 1)
        var out: [UInt8] = []
        let now = Array("{\"client\": \"C1\", \"category\": \"delivery\", \"reported\": \"2026-03-02T12:00:00Z\"}\n".utf8)
        _ = runner.run(RecordStream(bytes: now, format: .jsonLines)) { out.append(contentsOf: $0) }
        let line = String(decoding: out, as: UTF8.self)
        // Two earlier incidents within 10 days (a), a billing one within 30 (b), the last 3 hours before (c).
        #expect(line.hasPrefix("{\"record\":1,"))
        for role in ["\"a\"", "\"b\"", "\"c\""] { #expect(line.contains("\"role\":\(role)"), "\(line)") }
    }
}
