// What every fuzz target shares: the shipped policies, compiled once; a
// virtual folder of policy files cut from the input; the check that stops
// the run on a broken promise; and the record harness of the json, jsonl
// and csv targets.
//
// Built by Fuzz/run against the library compiled for testing, so internal
// names are in reach. Not part of `swift build`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import Amends

// MARK: - Input and failure

/// The fuzzer's bytes as an array.
func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: max(0, size)))
}

/// Stops the run when a promise is broken: libFuzzer saves the input.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if condition { return }
    say("fuzz: broken promise: \(message())")
    abort()
}

/// A line on standard error.
func say(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

// MARK: - Shipped policies

/// The shipped policies (`policies/*.policy`), compiled once per process,
/// from the checkout named by `AMENDS_FUZZ_ROOT` (Fuzz/run sets it).
enum Shipped {
    static let names = ["standard", "cfpb", "five-steps", "listen-and-follow-up", "making-amends",
                        "ranked-apology", "servicenow", "when-to-apologise"]

    static let all: [(compiled: Driver.Compiled, program: Program)] = {
        let root = getenv("AMENDS_FUZZ_ROOT").map { String(cString: $0) } ?? "."
        return names.map { name in
            let path = FileSystem.join(root, "policies/\(name).policy")
            guard case .success(let compiled) = Driver.compile(path: path), let program = compiled.program else {
                say("fuzz: cannot compile `\(path)`; set AMENDS_FUZZ_ROOT to the checkout")
                exit(2)
            }
            return (compiled, program)
        }
    }()

    /// The policy a selector byte picks.
    static func program(_ selector: UInt8) -> Program {
        all[Int(selector) % all.count].program
    }

    static func compiled(_ selector: UInt8) -> Driver.Compiled {
        all[Int(selector) % all.count].compiled
    }
}

/// The instant runs are made at: 2026-03-02T09:00:00Z.
let fuzzNow: Int64 = 1_772_442_000

// MARK: - A folder of policy files

/// The input cut into policy files at lines that are exactly `---`: the
/// first is `main.policy`, the next `1.policy`, `2.policy` … all in one
/// folder that does not exist on disk, so `use "1.policy"` finds them and
/// nothing else is read.
struct VirtualFolder: Sendable {
    static let directory = "/amends-fuzz-nowhere"
    let files: [[UInt8]]

    init(_ bytes: [UInt8]) {
        var files: [[UInt8]] = []
        var current: [UInt8] = []
        var lineStart = 0
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == 0x0A {
                let line = bytes[lineStart..<i]
                if line.elementsEqual("---".utf8) {
                    files.append(current)
                    current = []
                } else {
                    current.append(contentsOf: line)
                    if i < bytes.count { current.append(0x0A) }
                }
                lineStart = i + 1
            }
            i += 1
        }
        files.append(current)
        self.files = files
    }

    var mainPath: String { VirtualFolder.directory + "/main.policy" }

    /// Reads `DIR/N.policy` (any folder under the virtual one: the name
    /// decides); everything else does not exist.
    var reader: Loader.ReadFile {
        let files = self.files
        return { path in
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            guard path.hasPrefix(VirtualFolder.directory + "/"), name.hasSuffix(".policy"),
                  let n = Int(name.dropLast(".policy".count)), n >= 1, n < files.count else {
                return .failure(FileSystem.Failure(path: path, reason: "no such file or directory"))
            }
            return .success(files[n])
        }
    }

    func load() -> Loader.Loaded {
        Loader.load(source: SourceText(path: mainPath, bytes: files.first ?? []), directory: VirtualFolder.directory,
                    read: reader)
    }
}

// MARK: - Records

/// One run of a record input: the output and what the runner counted.
struct RecordRun: Equatable {
    var output: [UInt8]
    var records: Int
    var errors: Int
    var streamCount: Int
    var header: [String]?
}

/// Runs `bytes` as records of `format` through a one-thread `Runner`, the
/// path `amends run` takes.
func runRecords(_ bytes: [UInt8], _ program: Program, format: RecordFormat, chunkSize: Int,
                maxRecordSize: Int, batchSize: Int) -> RecordRun {
    let stream = RecordStream(bytes: bytes, name: "fuzz", format: format, chunkSize: chunkSize,
                              maxRecordSize: maxRecordSize)
    var options = Runner.Options()
    options.threads = 1
    options.batchSize = batchSize
    options.now = fuzzNow
    let runner = Runner(program: program, options: options)
    var output: [UInt8] = []
    let summary = runner.run(stream) { output.append(contentsOf: $0) }
    return RecordRun(output: output, records: summary.records, errors: summary.errors,
                     streamCount: stream.recordCount, header: stream.header)
}

/// The promises of `amends run` on one output: one JSON line per record,
/// numbered 1, 2, 3 … in order; an `error` line for each record counted
/// as an error.
func checkOutput(_ run: RecordRun) {
    expect(run.records == run.streamCount, "the runner counted \(run.records) records, the stream \(run.streamCount)")
    var lines = run.output.split(separator: 0x0A, omittingEmptySubsequences: false)
    expect(lines.last?.isEmpty ?? true, "the output does not end with a line end")
    if !lines.isEmpty { lines.removeLast() }
    expect(lines.count == run.records, "\(lines.count) result lines for \(run.records) records")
    var errors = 0
    for (i, line) in lines.enumerated() {
        guard case .success(let value) = JSONValue.parse(Array(line)) else {
            expect(false, "result line \(i + 1) is not JSON: \(String(decoding: line, as: UTF8.self))")
            return
        }
        expect(value["record"] == .number(Double(i + 1)), "result line \(i + 1) has record \(String(describing: value["record"]))")
        if value["error"] != nil { errors += 1 }
    }
    expect(errors == run.errors, "\(errors) error lines, but \(run.errors) errors counted")
}

/// The json, jsonl and csv targets: the first byte picks a shipped policy
/// and the chunk size, the rest are records. Checks the output's promises,
/// and that reading the input in small chunks gives the same output as
/// reading it at once.
func fuzzRecords(_ data: UnsafePointer<UInt8>, _ size: Int, format: RecordFormat,
                 extra: ([UInt8], Program, RecordRun) -> Void = { _, _, _ in }) -> CInt {
    guard size >= 1 else { return 0 }
    let program = Shipped.program(data[0])
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let small = 1 + Int(data[0] >> 3)          // 1 … 32 bytes a chunk
    let maxRecordSize = 512
    let whole = runRecords(bytes, program, format: format, chunkSize: 1 << 16, maxRecordSize: maxRecordSize,
                           batchSize: 1024)
    checkOutput(whole)
    let pieces = runRecords(bytes, program, format: format, chunkSize: small, maxRecordSize: maxRecordSize,
                            batchSize: 3)
    expect(pieces == whole, "reading in chunks of \(small) bytes changed the output:\n"
        + "--- whole ---\n\(String(decoding: whole.output, as: UTF8.self))"
        + "--- chunked ---\n\(String(decoding: pieces.output, as: UTF8.self))")
    extra(bytes, program, whole)
    return 0
}

/// Decodes each record of a JSON input twice, by the streaming decoder
/// `amends run` uses and by the tree reader of the library API, and
/// requires them to agree on whether it is a record and, when it is, on
/// which fields have values and on every non-text value.
func compareJSONReaders(_ bytes: [UInt8], _ program: Program, format: RecordFormat) {
    let stream = RecordStream(bytes: bytes, name: "fuzz", format: format, chunkSize: 1 << 16, maxRecordSize: 512)
    var decoder = stream.makeDecoder(for: program.schema)
    var streamed = RecordBuffer(fieldCount: program.schema.fields.count)
    var tree = RecordBuffer(fieldCount: program.schema.fields.count)
    while let batch = stream.nextBatch(maxRecords: 64) {
        for i in 0..<batch.count {
            guard let recordBytes = batch.recordBytes(i) else { continue }
            let streamError = decoder.decode(batch, i, into: &streamed)
            let text = String(decoding: recordBytes, as: UTF8.self)
            let treeError: FieldError?
            switch JSONValue.parse(Array(recordBytes)) {
            case .failure(let syntax):
                // Both are as strict; they may word it differently.
                expect(streamError != nil, "the tree reader rejects `\(text)` (\(syntax.message)), the stream reads it")
                continue
            case .success(let value): treeError = program.schema.read(value, into: &tree)
            }
            expect((streamError == nil) == (treeError == nil),
                   "the readers disagree on `\(text)`: streamed \(streamError?.message ?? "ok"), tree \(treeError?.message ?? "ok")")
            guard streamError == nil, treeError == nil else { continue }
            for (f, field) in program.model.fields.enumerated() {
                expect(streamed.isPresent(f) == tree.isPresent(f),
                       "the readers disagree on whether `\(field.name)` is in `\(text)`")
                guard streamed.isPresent(f) else { continue }
                switch field.type {
                case .text, .list: break
                default:
                    let (a, b) = (streamed.scalar(f), tree.scalar(f))
                    expect(a == b || (a.isNaN && b.isNaN),
                           "the readers disagree on `\(field.name)` in `\(text)`: streamed \(a), tree \(b)")
                }
            }
        }
    }
}

// MARK: - Bytes as choices

/// A ByteReader hands out the fuzzer's bytes as choices; once they run out
/// it goes on with a fixed pseudo-random sequence, so every input still
/// gives whole records.
struct ByteReader {
    let bytes: [UInt8]
    var index = 0
    var state: UInt64 = 0x2545_F491_4F6C_DD1D

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var exhausted: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        if index < bytes.count {
            index += 1
            return bytes[index - 1]
        }
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }

    /// A choice among `n` (n >= 1).
    mutating func below(_ n: Int) -> Int { Int(byte()) % max(1, n) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Up to `max` bytes, the count chosen first.
    mutating func run(max: Int) -> [UInt8] {
        (0..<below(max + 1)).map { _ in byte() }
    }

    mutating func word() -> UInt64 {
        (0..<8).reduce(UInt64(0)) { w, _ in (w << 8) | UInt64(byte()) }
    }
}

/// Numbers near the edges: signs, zero, fractions, the largest and
/// smallest doubles, integers past 2^53 and Int64's range.
let edgeNumbers: [Double] = [0, -0.0, 1, -1, 0.5, 2, 3, 4999, 5000, 5001, 1e6, 1e15, 9_007_199_254_740_994,
                             9.2e18, 9.3e18, -9.3e18, 1e300, -1e300, Double.greatestFiniteMagnitude,
                             Double.leastNonzeroMagnitude, 1_772_442_000, 253_402_300_799, -62_135_596_800]

// MARK: - Compiled against reference

/// Where the compiled program and the `ReferenceInterpreter` differ on a
/// record: each rule's condition by both paths of the compiled code (one
/// rule at a time, and all rules at once in the evaluator), and which rules
/// fire (`otherwise` rules when no `when` rule holds).
func disagreements(_ program: Program, _ record: RecordBuffer) -> [String] {
    let model = program.model
    let reference = ReferenceInterpreter(model: model)
    var problems: [String] = []
    var expected: [Int] = []
    for rule in model.rules {
        guard let condition = rule.condition else { continue }
        let holds = reference.holds(condition, in: record)
        if holds { expected.append(rule.index) }
        let compiled = program.holds(rule: rule.index, record)
        if compiled != holds {
            problems.append("rule \(rule.index) `\(condition.ref.source.text(condition.ref.span))`: compiled \(compiled), "
                            + "reference \(holds); \(reference.reason(condition, in: record).text)")
        }
    }
    if expected.isEmpty { expected = model.rules.filter { $0.condition == nil }.map(\.index) }
    let fired = Evaluator.outcome(of: record, under: program).fired.map(\.index).sorted()
    if fired != expected { problems.append("the evaluator fired rules \(fired), the reference \(expected)") }
    return problems
}

/// A record's fields, for a message.
func describe(_ record: RecordBuffer, _ model: PolicyModel) -> String {
    let reference = ReferenceInterpreter(model: model)
    let fields = model.fields.indices.map { f in
        "\(model.fields[f].name)=\(reference.value(of: f, in: record).map { "\($0)" } ?? "missing")"
    }
    return "{" + fields.joined(separator: ", ") + "} now \(record.now)"
}
