// The Runner's pipeline: every worker reads and works batches, and hands
// its output in to be written in turn. These tests run it with more workers than batches, with tiny
// batches, and many times over, and check that the output is one line per
// record, in input order, the same whatever the number of threads.
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Amends

@Suite("Runner")
struct RunnerTests {
    static let policy = """
    scale severity: low < medium < high < critical
    record incident:
      id: text
      severity: severity
    roles: supervisor
    when severity >= high: notify supervisor
    """

    /// `count` records, every seventh one broken.
    static func input(_ count: Int) -> [UInt8] {
        var text = ""
        let levels = ["low", "medium", "high", "critical"]
        for i in 0..<count {
            text += i % 7 == 6 ? "{\"id\": \"R\(i)\", \"severity\": \"hgh\"}\n"
                               : "{\"id\": \"R\(i)\", \"severity\": \"\(levels[i % 4])\"}\n"
        }
        return Array(text.utf8)
    }

    static func run(_ program: Program, _ bytes: [UInt8], threads: Int, batchSize: Int) -> ([String], Runner.Summary) {
        var options = Runner.Options()
        options.threads = threads
        options.batchSize = batchSize
        let runner = Runner(program: program, options: options)
        var out: [UInt8] = []
        let summary = runner.run(RecordStream(bytes: bytes, format: .jsonLines)) { out.append(contentsOf: $0) }
        return (String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init), summary)
    }

    @Test(arguments: [0, 1, 5, 64, 3_000])
    func everyRecordInOrderWhateverTheThreads(count: Int) throws {
        let program = try Fixtures.program(Self.policy)
        let bytes = Self.input(count)
        let (expected, _) = Self.run(program, bytes, threads: 1, batchSize: 1024)
        #expect(expected.count == count)
        for threads in [2, 3, 8] {
            for batchSize in [1, 7, 1024] {
                let (lines, summary) = Self.run(program, bytes, threads: threads, batchSize: batchSize)
                #expect(lines == expected, "\(threads) threads, batches of \(batchSize)")
                #expect(summary.records == count)
                #expect(summary.errors == (count + 1) / 7)
            }
        }
        for (i, line) in expected.enumerated() { #expect(line.hasPrefix("{\"record\":\(i + 1),")) }
    }

    /// Short runs, many times: the workers' hand-over at the start and end
    /// of a run (a non-escaping `write` must not be held past it).
    /// Found by the csv fuzz target: a CSV cell that is not UTF-8 went
    /// into the result line as it was, and the line was not JSON.
    @Test func bytesThatAreNotUTF8AreWrittenAsReplacementCharacters() throws {
        let program = try Fixtures.program(Self.policy)
        let csv: [UInt8] = Array("id,severity\nINC".utf8) + [0x81, 0xFA, 0xE2, 0x82] + Array("-1,high\nA\u{e9}\u{1F600},low\n".utf8)
        var options = Runner.Options()
        options.threads = 1
        var out: [UInt8] = []
        _ = Runner(program: program, options: options).run(RecordStream(bytes: csv, format: .csv)) { out.append(contentsOf: $0) }
        let lines = out.split(separator: 0x0A).map { Array($0) }
        try #require(lines.count == 2)
        for line in lines {
            if case .failure(let error) = JSONValue.parse(line) {
                Issue.record("not JSON (\(error.message)): \(String(decoding: line, as: UTF8.self))")
            }
        }
        #expect(String(decoding: lines[0], as: UTF8.self).contains("\"id\":\"INC\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}-1\""))
        #expect(String(decoding: lines[1], as: UTF8.self).contains("\"id\":\"A\u{e9}\u{1F600}\""))
    }

    @Test func manyShortRuns() throws {
        let program = try Fixtures.program(Self.policy)
        let bytes = Self.input(3)
        for _ in 0..<300 {
            let (lines, summary) = Self.run(program, bytes, threads: 4, batchSize: 1)
            #expect(lines.count == 3 && summary.records == 3)
        }
    }

    /// A runner is reused for input after input (`amends run` with several
    /// files), CSV after JSON Lines: each stream's decoder is its own.
    @Test func oneRunnerOverSeveralStreams() throws {
        let program = try Fixtures.program(Self.policy)
        var options = Runner.Options()
        options.threads = 3
        options.batchSize = 2
        let runner = Runner(program: program, options: options)
        var out: [UInt8] = []
        let first = runner.run(RecordStream(bytes: Self.input(5), format: .jsonLines)) { out.append(contentsOf: $0) }
        let csv = Array("id,severity\nC1,high\nC2,low\nC3,critical\n".utf8)
        let second = runner.run(RecordStream(bytes: csv, format: .csv), firstNumber: 6) { out.append(contentsOf: $0) }
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
        #expect(first.records == 5 && second.records == 3 && lines.count == 8)
        #expect(lines[5].hasPrefix(#"{"record":6,"id":"C1","actions":[{"kind":"notify""#))
        #expect(lines[6].hasPrefix(#"{"record":7,"id":"C2","actions":[]"#))
    }

    /// A write that fails (a closed pipe) stops the run: no more writes,
    /// and only the batches already taken are read, not the whole input.
    @Test(arguments: [1, 2, 4])
    func aFailedWriteStopsTheRun(threads: Int) throws {
        let program = try Fixtures.program(Self.policy)
        var options = Runner.Options()
        options.threads = threads
        options.batchSize = 10
        let runner = Runner(program: program, options: options)
        let stream = RecordStream(bytes: Self.input(100_000), format: .jsonLines)
        var calls = 0
        let summary = runner.run(stream, writeOrStop: { _ in
            calls += 1
            return calls < 3
        })
        #expect(calls == 3)
        #expect(summary.stopped)
        #expect(summary.records == 20, "the two batches written")
        // At most one batch a buffer beyond those written: a worker whose
        // batch is not next hands it in and takes another.
        #expect(stream.recordCount <= (3 + Turns.buffersPerWorker * threads) * 10, "read \(stream.recordCount) records of 100,000")
        // The runner is still good for another input.
        var out: [UInt8] = []
        let again = runner.run(RecordStream(bytes: Self.input(25), format: .jsonLines)) { out.append(contentsOf: $0) }
        #expect(!again.stopped && again.records == 25)
    }

    /// A slow write: the other workers hand their batches in and go on;
    /// whoever hands in the next one writes it. The output stays in order,
    /// and `write` is never called by two threads at once.
    @Test func batchesHandedInWhileAWriteIsSlowAreWrittenInOrder() throws {
        let program = try Fixtures.program(Self.policy)
        let bytes = Self.input(2_000)
        let (expected, _) = Self.run(program, bytes, threads: 1, batchSize: 1024)
        var options = Runner.Options()
        options.threads = 4
        options.batchSize = 13
        let runner = Runner(program: program, options: options)
        let inside = Atomic<Int>(0)
        var overlapping = false
        var calls = 0
        var out: [UInt8] = []
        let summary = runner.run(RecordStream(bytes: bytes, format: .jsonLines), write: { (chunk: UnsafeBufferPointer<UInt8>) in
            if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { overlapping = true }
            calls += 1
            if calls % 10 == 1 { usleep(2_000) }
            out.append(contentsOf: chunk)
            inside.subtract(1, ordering: .sequentiallyConsistent)
        })
        #expect(!overlapping)
        #expect(summary.records == 2_000 && calls == (2_000 + 12) / 13)
        #expect(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init) == expected)
    }

    /// A run on every core keeps each worker on its own CPU, and lets the
    /// caller's thread run where it could before.
    @Test func aWorkerKeepsToItsCPUAndTheCallerIsLetGoAfter() throws {
        #if os(Linux)
        let before = Runner.allowedCPUs()
        try #require(!before.isEmpty)   // Linux: the affinity is known
        let last = try #require(before.last)
        Runner.onCPU(last) { #expect(Runner.allowedCPUs() == [last]) }
        #expect(Runner.allowedCPUs() == before)
        let program = try Fixtures.program(Self.policy)
        let (lines, _) = Self.run(program, Self.input(500), threads: Runner.processorCount, batchSize: 16)
        #expect(lines.count == 500)
        #expect(Runner.allowedCPUs() == before)
        #endif
    }

    /// The workers' threads: each body runs once, on a thread other than
    /// the caller's, and `join` returns only once it has.
    @Test func aWorkerThreadRunsItsBodyOnceBeforeJoinReturns() {
        let runs = Atomic<Int>(0)
        let callerThread = pthread_self()
        let elsewhere = Atomic<Int>(0)
        let threads = (0..<8).map { _ in
            Runner.startThread {
                usleep(1_000)
                if pthread_equal(pthread_self(), callerThread) == 0 { elsewhere.add(1, ordering: .relaxed) }
                runs.add(1, ordering: .sequentiallyConsistent)
            }
        }
        for thread in threads { thread.join() }
        #expect(runs.load(ordering: .sequentiallyConsistent) == 8)
        #expect(elsewhere.load(ordering: .relaxed) == 8)
    }
}
