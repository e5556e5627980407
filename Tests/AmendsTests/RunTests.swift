import Testing
@testable import Amends
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `amends run` and the library API: records in, required actions out.
@Suite("Run")
struct RunTests {
    static let fixtures = Tool.packageRoot + "/Tests/AmendsTests/fixtures/run"
    static let policy = fixtures + "/standard.policy"

    @Test func goodAndBadRecordsKeepTheirPositions() throws {
        let r = Tool.run(["run", Self.policy, Self.fixtures + "/mixed.jsonl", "--now", "2026-03-02T10:00:00Z"])
        #expect(r.status == 1, "some records could not be read: exit 1")
        let lines = r.lines
        // Seven records (the blank line is not one): seven lines, in order.
        #expect(lines.count == 7)
        for (i, line) in lines.enumerated() { #expect(line.hasPrefix("{\"record\":\(i + 1),")) }
        #expect(lines[0].contains(#""id":"INC-1","actions":[{"kind":"notify","role":"supervisor""#))
        #expect(lines[1].contains(#""error":"`severity` is \"hgh\""#) && lines[1].contains("did you mean `high`?"))
        #expect(lines[2].contains(#""line":3,"error":"invalid JSON"#))
        #expect(lines[3].contains("missing required field `severity`"))
        #expect(lines[4].contains("a record must be a JSON object, not an array"))
        #expect(lines[5].contains(#""id":"INC-6""#) && lines[5].contains(#""waived":[{"kind":"apology""#))
        #expect(lines[6].contains(#""kind":"follow_up","due":"2026-03-09T09:00:00Z","within":"P7D""#))
        #expect(r.stderr.contains("4 records of 7 could not be read"))
    }

    @Test func outputIsTheGoldenAndTheSameOnEveryRun() throws {
        let args = ["run", Self.policy, Self.fixtures + "/mixed.jsonl", "--now", "2026-03-02T10:00:00Z"]
        let first = Tool.run(args)
        // Paths in `because` are as given on the command line: make them relative.
        Golden.check(first.stdout.replacing(Tool.packageRoot + "/", with: ""), against: "run/mixed.jsonl.out")
        for threads in ["1", "2", "3"] {
            let again = Tool.run(args + ["--threads", threads])
            #expect(again.stdout == first.stdout, "byte-identical output with \(threads) threads")
        }
    }

    @Test func csvRecordsAreTypedFromText() throws {
        let r = Tool.run(["run", Self.policy, Self.fixtures + "/incidents.csv", "--now", "2026-03-02T10:00:00Z"])
        #expect(r.status == 1)
        #expect(r.lines.count == 3)
        #expect(r.lines[0].contains(#""id":"INC-10""#) && r.lines[0].contains(#""kind":"respond","due":"2026-03-02T11:00:00Z","within":"PT2H","by":"phone""#))
        // An empty tier takes the default; `delivery` in quotes is the value.
        #expect(r.lines[1].contains(#""kind":"escalate","role":"owner","due":"2026-03-09T11:30:00Z","within":"4 business hours""#))
        #expect(r.lines[2].contains(#""line":4,"error":"`severity` is \"extreme\""#))
    }

    @Test func textFormatIsForPeople() {
        let r = Tool.run(["run", "--format", "text", Self.policy, Self.fixtures + "/mixed.jsonl", "--now", "2026-03-02T10:00:00Z"])
        #expect(r.stdout.contains("record 1 (INC-1)\n  notify supervisor  ["))
        #expect(r.stdout.contains("record 2 (line 2): error: `severity` is \"hgh\""))
        #expect(!r.stdout.contains("\u{1B}["))
    }

    @Test func textFormatNeverSendsARecordsControlCharactersToTheTerminal() {
        // An id with an escape sequence, a severity with a bell: shown as
        // pictures (␛, ␇), so a record cannot drive the reader's terminal.
        let input = #"""
        {"id": "INC-\u001b[2J\u001b]0;owned\u0007", "severity": "critical", "tier": "basic", "category": "outage", "caused_by": "us", "reported": "2026-03-02T09:00:00Z"}
        {"id": "INC-2", "severity": "hi\u0007gh", "tier": "basic", "category": "outage", "caused_by": "us", "reported": "2026-03-02T09:00:00Z"}
        """#
        let r = Tool.run(["run", "--format", "text", Self.policy, "-", "--now", "2026-03-02T10:00:00Z"], input: input + "\n")
        #expect(r.stdout.contains("record 1 (INC-\u{241B}[2J\u{241B}]0;owned\u{2407})"), "\(r.stdout)")
        // A message quotes a value with its control characters escaped.
        #expect(r.stdout.contains(#"record 2 (line 2): error: `severity` is "hi\u{7}gh""#), "\(r.stdout)")
        #expect(!r.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(r.stdout)")
    }

    @Test func standardInputAndOutputFile() throws {
        let input = #"{"id": "A", "severity": "high", "category": "billing", "reported": "2026-03-02T09:00:00Z"}"# + "\n"
        let piped = Tool.run(["run", Self.policy, "-", "--now", "2026-03-02T10:00:00Z"], input: input)
        #expect(piped.status == 0)
        #expect(piped.lines.count == 1)
        let out = "/tmp/amends-run-test-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        let written = Tool.run(["run", Self.policy, "-", "--output", out, "--now", "2026-03-02T10:00:00Z"], input: input)
        #expect(written.status == 0 && written.stdout.isEmpty)
        let bytes = try FileSystem.read(out).get()
        #expect(String(decoding: bytes, as: UTF8.self) == piped.stdout)
        _ = FileSystem.writeAtomically(out, []) // keep /tmp tidy
    }

    @Test func policyErrorsAndUsageErrorsExitTwo() {
        let missing = Tool.run(["run", Self.fixtures + "/no-such.policy", Self.fixtures + "/mixed.jsonl"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        let noRecords = Tool.run(["run", Self.policy, Self.fixtures + "/no-such.jsonl"])
        #expect(noRecords.status == 2 && noRecords.stderr.contains("no-such.jsonl"))
        let badNow = Tool.run(["run", Self.policy, "-", "--now", "yesterday"])
        #expect(badNow.status == 2 && badNow.stderr.contains("`--now` needs a timestamp"))
        let badFlag = Tool.run(["run", Self.policy, "-", "--fromat", "text"])
        #expect(badFlag.status == 2 && badFlag.stderr.contains("did you mean `--format`?"))
        let broken = "/tmp/amends-broken-\(UInt32.random(in: 0...UInt32.max)).policy"
        _ = FileSystem.writeAtomically(broken, Array("when severity >= hgh: notify x\n".utf8))
        let r = Tool.run(["run", broken, "-"], input: "{}\n")
        #expect(r.status == 2 && r.stderr.contains("error[E101]") && r.stdout.isEmpty)
    }

    // MARK: - Library API

    @Test func libraryEvaluatesJSONAndReportsProvenance() throws {
        let policy = try Policy(path: Self.policy)
        let json = #"{"id": "X", "severity": "critical", "tier": "premium", "category": "billing", "caused_by": "us", "reported": "2026-03-02T09:00:00Z"}"#
        let outcome = try policy.evaluate(json: Array(json.utf8), now: 0)
        let summaries = outcome.actions.map(\.summary)
        #expect(summaries == ["notify supervisor", "notify account_manager", "respond within 2 hours by phone",
                              "apology with responsibility, prevention", "offer refund, credit, redo", "follow up in 3 days"])
        #expect(outcome.actions[2].because.first?.name == "valued client, our fault")
        let due = try TimestampLiteral.parse(Array("2026-03-05T09:00:00Z".utf8)).get().epochSeconds()
        #expect(outcome.actions[5].due == due)
        #expect(throws: RecordError.self) { try policy.evaluate(json: Array(#"{"severity": "hgh"}"#.utf8), now: 0) }
    }

    /// A record given as a Swift dictionary gets the same outcome as the
    /// same record given as JSON; nested dictionaries reach dotted fields.
    @Test func libraryEvaluatesADictionary() throws {
        let policy = try Policy(source: """
        scale severity: low < high
        record incident:
          severity: severity
          repeat: number = 0
          reported: time
          customer.name: text?
        deadlines from reported
        roles: owner, supervisor
        when severity = high and repeat > 1: notify owner within 1 day
        when customer.name = "Ada": notify supervisor
        """)
        let literal = try policy.evaluate(["severity": "high", "repeat": 2, "reported": "2026-03-02T09:00:00Z",
                                           "customer": ["name": "Ada"]], now: 0)
        var fields: [String: JSONValue] = ["severity": "high", "reported": "2026-03-02T09:00:00Z"]
        fields["repeat"] = .number(2)
        fields["customer"] = ["name": "Ada"]
        let dictionary = try policy.evaluate(fields, now: 0)
        let json = try policy.evaluate(json: Array(#"{"severity": "high", "repeat": 2, "reported": "2026-03-02T09:00:00Z", "customer": {"name": "Ada"}}"#.utf8), now: 0)
        #expect(literal.actions.map(\.summary) == ["notify owner within 1 day", "notify supervisor"])
        #expect(dictionary.actions.map(\.summary) == json.actions.map(\.summary))
        #expect(dictionary.actions.map(\.due) == json.actions.map(\.due))
        #expect(literal.actions.map(\.due) == json.actions.map(\.due))
        #expect(throws: RecordError.self) { try policy.evaluate(["severity": "hgh", "reported": "2026-03-02T09:00:00Z"], now: 0) }
    }

    /// One Policy evaluated from many threads at once gives every thread
    /// the outcome it gets alone (the library promises thread safety).
    @Test func libraryIsThreadSafe() throws {
        let policy = try Policy(path: Self.policy)
        let severities = ["low", "medium", "high", "critical"]
        let categories = ["billing", "delivery", "quality", "outage"]
        let records: [[UInt8]] = (0..<64).map { k in
            Array(#"{"id": "R\#(k)", "severity": "\#(severities[k % 4])", "tier": "\#(k % 3 == 0 ? "enterprise" : "basic")", "category": "\#(categories[(k / 4) % 4])", "caused_by": "\#(k % 5 == 0 ? "customer" : "us")", "repeat": \#(k % 3), "reported": "2026-03-0\#(1 + k % 8)T09:00:00Z"}"#.utf8)
        }
        let alone = try records.map { Self.describe(try policy.evaluate(json: $0, now: 1_772_442_000)) }
        #expect(Set(alone).count > 4, "the records should differ in their outcomes")
        let results = ConcurrentResults(count: records.count * 8)
        DispatchQueue.concurrentPerform(iterations: records.count * 8) { k in
            let text = (try? policy.evaluate(json: records[k % records.count], now: 1_772_442_000)).map { Self.describe($0) } ?? "error"
            results.set(k, text)
        }
        for (k, text) in results.values.enumerated() {
            #expect(text == alone[k % records.count], "record \(k % records.count) on another thread")
        }
    }

    /// An outcome as one text, to compare outcomes whole.
    static func describe(_ o: Outcome) -> String {
        o.actions.map { "\($0.summary) \($0.due ?? -1) \($0.because.map(\.description))" }.joined(separator: "|")
            + " waived " + o.waived.map { "\($0.kind)" }.joined(separator: ",")
    }

    /// Grammar.md §7: results come notify (roles in declaration order),
    /// escalate, assign, respond, apology, offer (remedies in declaration
    /// order), follow up, review, tasks (in order of first appearance),
    /// whatever order the rules give them in; a waive records who waived
    /// and whose actions it dropped.
    @Test func resultsComeInTheDocumentedOrder() throws {
        let policy = try Policy(source: """
        record incident:
          n: number = 0
        roles: a, b, c
        remedies: r1, r2, r3
        when n > 0: task "z"; notify c; offer r3; follow up in 1 day; escalate to b
        when n > 0: task "y"; notify a; offer r1; assign c; respond within 1 hour; review cause within 2 days; require apology with regret, repair
        rule "no tasks" when n > 1: waive task
        """)
        let one = try policy.evaluate(["n": 1], now: 0)
        #expect(one.actions.map(\.summary) == [
            "notify a", "notify c", "escalate to b", "assign c", "respond within 1 hour", "apology with repair, regret",
            "offer r1, r3", "follow up in 1 day", "review cause within 2 days", "task \"z\"", "task \"y\"",
        ])
        #expect(one.waived.isEmpty)
        let two = try policy.evaluate(["n": 2], now: 0)
        #expect(!two.actions.contains { $0.kind == .task })
        #expect(two.waived.map(\.kind) == [.task])
        #expect(two.waived.first?.by.map(\.line) == [7] && two.waived.first?.by.first?.name == "no tasks")
        #expect(two.waived.first?.dropped.map(\.line) == [5, 6])
    }

    @Test func libraryRefusesAPolicyWithErrors() {
        #expect(throws: PolicyError.self) { try Policy(source: "when x = 1: notify y\n") }
    }

    @Test func overriddenDeadlinesAreRecorded() throws {
        let policy = try Policy(source: """
        scale severity: low < high
        record incident:
          severity: severity
          reported: time
        deadlines from reported
        roles: owner
        when severity = high: notify owner within 1 day
        rule "fast" when severity = high: notify owner within 1 hour
        """)
        let outcome = try policy.evaluate(json: Array(#"{"severity": "high", "reported": "2026-03-02T09:00:00Z"}"#.utf8), now: 0)
        #expect(outcome.actions.count == 1)
        #expect(outcome.actions[0].within == DurationSpec(amount: 1, unit: .hours))
        #expect(outcome.actions[0].because.map(\.line) == [7, 8])
        #expect(outcome.actions[0].overridden.map(\.rule.line) == [7])
    }
}

/// Texts written from many threads, each to its own slot, under a lock.
final class ConcurrentResults: @unchecked Sendable {
    // INVARIANT: `stored` is only touched while `lock` is held.
    private let lock = TestMutex()
    private var stored: [String]

    init(count: Int) { stored = Array(repeating: "", count: count) }

    func set(_ k: Int, _ value: String) { lock.locked { stored[k] = value } }

    var values: [String] { lock.locked { stored } }
}

/// A pthread mutex (Foundation is not imported by the tests).
final class TestMutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}

/// Results as Grammar.md §7.3–7.4 and §11 state them: `overridden` once
/// per rule, the channel of a tie, and an `id` of any type echoed as the
/// policy writes it.
@Suite("Run results")
struct RunResultTests {
    /// `amends run` on a policy text and JSON Lines on standard input.
    static func run(_ policy: String, _ records: String, format: String = "json") throws -> [String] {
        let path = try RecordReaderTests.temporaryFile(Array(policy.utf8))
        let named = path + ".policy"
        rename(path, named)
        defer { unlink(named) }
        let r = Tool.run(["run", named, "-", "--now", "2026-03-02T10:00:00Z", "--format", format], input: records)
        return r.lines.map { String($0).replacing(named, with: "p.policy") }
    }

    @Test func aRuleIsOverriddenOnceWithItsOwnEarliestDeadline() throws {
        let lines = try Self.run("""
            record incident:
              id: text
            roles: owner
            when id = "a": respond within 24 hours; respond within 1440 minutes
            when id = "a": respond within 2 hours
            when id = "a": respond within 3 hours; respond within 1 hour
            when id = "a": respond within 5 hours
            when id = "a": notify owner; respond within 4 hours; notify owner within 6 hours
            """, #"{"id": "a"}"# + "\n")
        #expect(lines == [#"{"record":1,"id":"a","actions":[{"kind":"notify","role":"owner","due":"2026-03-02T16:00:00Z","within":"PT6H","because":[{"file":"p.policy","line":8}]},"#
            + #"{"kind":"respond","due":"2026-03-02T11:00:00Z","within":"PT1H","because":[{"file":"p.policy","line":4},{"file":"p.policy","line":5},{"file":"p.policy","line":6},{"file":"p.policy","line":7},{"file":"p.policy","line":8}],"#
            + #""overridden":[{"file":"p.policy","line":4,"due":"2026-03-03T10:00:00Z","within":"P1D"},{"file":"p.policy","line":5,"due":"2026-03-02T12:00:00Z","within":"PT2H"},"#
            + #"{"file":"p.policy","line":7,"due":"2026-03-02T15:00:00Z","within":"PT5H"},{"file":"p.policy","line":8,"due":"2026-03-02T14:00:00Z","within":"PT4H"}]}]}"#])
    }

    @Test func assignIsOverriddenOnlyByAnotherRole() throws {
        let lines = try Self.run("""
            record incident:
              id: text
            roles: owner, clerk
            when id = "a": assign owner
            when id = "a": assign owner
            when id = "a": assign clerk
            """, #"{"id": "a"}"# + "\n")
        #expect(lines == [#"{"record":1,"id":"a","actions":[{"kind":"assign","role":"owner","because":[{"file":"p.policy","line":4},{"file":"p.policy","line":5},{"file":"p.policy","line":6}],"#
            + #""overridden":[{"file":"p.policy","line":6,"role":"clerk"}]}]}"#])
    }

    @Test func theChannelOfATieIsTheFirstAtTheWinningDeadlineThatNamesOne() throws {
        let lines = try Self.run("""
            record incident:
              id: text
            when id = "a": follow up in 3 days by chat
            when id = "a": follow up in 2 days
            when id = "a": follow up in 48 hours by email
            """, #"{"id": "a"}"# + "\n")
        #expect(lines.count == 1 && lines[0].contains(#""kind":"follow_up","due":"2026-03-04T10:00:00Z","within":"P2D","by":"email""#), "\(lines)")
    }

    @Test func anIdOfAnyTypeIsEchoedAsThePolicyWritesIt() throws {
        for (type, value, echoed, text) in [
            ("number", "42", "42", "42"), ("number", "\"7.50\"", "7.5", "7.5"),
            ("one of low, high", "\"HIGH\"", "\"high\"", "high"),
            ("time", "\"2026-03-02T10:00:00+01:00\"", "\"2026-03-02T09:00:00Z\"", "2026-03-02T09:00:00Z"),
            ("duration", "\"90 minutes\"", "\"PT1H30M\"", "PT1H30M"),
            ("yes/no", "true", "\"yes\"", "yes"), ("text", "12", "\"12\"", "12"),
        ] {
            let policy = "record incident:\n  id: \(type)\nwhen id is present: follow up in 1 day\n"
            let json = try Self.run(policy, "{\"id\": \(value)}\n")
            #expect(json.first?.hasPrefix("{\"record\":1,\"id\":\(echoed),\"actions\":[") == true, "\(type): \(json)")
            let people = try Self.run(policy, "{\"id\": \(value)}\n", format: "text")
            #expect(people.first == "record 1 (\(text))", "\(type): \(people)")
        }
    }
}

extension RunResultTests {
    /// Grammar.md §8: a business-time count that gives up (a calendar
    /// too seldom open) is due at `9999-12-31T23:59:59Z`, never without a
    /// deadline, and wins no merge against a real deadline.
    @Test func aBusinessCountThatGivesUpIsDueAtTheLatestTime() throws {
        let lines = try Self.run("""
            record incident:
              id: text
            calendar:
              open mon 09:00-09:01
            roles: a, b
            when id = "1": notify a within 1000000 business hours; review cause within 1000000 business days
            when id = "1": notify b within 1000000 business hours
            when id = "1": notify b
            """, #"{"id": "1"}"# + "\n")
        #expect(lines == [#"{"record":1,"id":"1","actions":["#
            + #"{"kind":"notify","role":"a","due":"9999-12-31T23:59:59Z","within":"1000000 business hours","because":[{"file":"p.policy","line":6}]},"#
            + #"{"kind":"notify","role":"b","due":"9999-12-31T23:59:59Z","within":"1000000 business hours","because":[{"file":"p.policy","line":7},{"file":"p.policy","line":8}]},"#
            + #"{"kind":"review","due":"9999-12-31T23:59:59Z","within":"1000000 business days","because":[{"file":"p.policy","line":6}]}]}"#])
    }
}
