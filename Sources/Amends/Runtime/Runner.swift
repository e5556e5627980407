import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Runner evaluates a stream of records against a program and writes one
/// result per record, in input order.
///
/// The stream is read in batches on the calling thread. Work goes in rounds
/// of one batch per worker (one worker per core): while the workers decode,
/// evaluate and write a round into their own buffers, the calling thread
/// writes out the round before, in order, and reads the round after. Two
/// sets of workers take turns, so a round's output is still there while the
/// next round runs. Memory stays bounded: three rounds of batches at most,
/// whatever the input's size.
public final class Runner {
    public enum Format: String, Sendable { case json, text }

    public struct Options: Sendable {
        public var format: Format = .json
        /// Seconds since the epoch: the deadline base when a record has no
        /// clock value, and the time `age` is measured at.
        public var now: Int64 = 0
        public var threads: Int = Runner.processorCount
        public var batchSize: Int = 2048
        /// Written after each record's result (e.g. `--explain`), on the worker.
        public var annotate: (@Sendable (Evaluator, RecordBuffer) -> [UInt8])?

        public init() {}
    }

    public struct Summary: Sendable {
        public var records = 0
        public var errors = 0
    }

    public let program: Program
    public let options: Options
    /// Two sets of workers, one per core each, taking turns by round.
    private let crews: [[Worker]]

    public init(program: Program, options: Options) {
        self.program = program
        self.options = options
        let threads = max(1, options.threads)
        crews = (0..<(threads == 1 ? 1 : 2)).map { _ in
            (0..<threads).map { _ in Worker(program: program, options: options) }
        }
    }

    /// The cores this process may run on (its CPU affinity, so `taskset -c 0`
    /// counts one), at least 1.
    public static var processorCount: Int {
        #if os(Linux)
        // sched_getaffinity(2) is a GNU extension the Glibc module does not
        // show; it is looked up in the C library instead.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sched_getaffinity") {
            let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
            var mask = [UInt64](repeating: 0, count: 16)   // 1,024 CPUs, as cpu_set_t
            let n = mask.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress, getAffinity(0, raw.count, base) == 0 else { return 0 }
                return raw.reduce(0) { $0 + $1.nonzeroBitCount }
            }
            if n > 0 { return n }
        }
        #endif
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Runs every record of `stream`, numbering them from `firstNumber`,
    /// calling `write` with output bytes in input order (the bytes are valid
    /// only during the call).
    public func run(_ stream: RecordStream, firstNumber: Int = 1, inputName: String? = nil,
                    write: (UnsafeBufferPointer<UInt8>) -> Void) -> Summary {
        var summary = Summary()
        let offset = firstNumber - 1
        var decodersReady = false
        func read(into crew: [Worker]) -> [RecordBatch] {
            var batches: [RecordBatch] = []
            while batches.count < crew.count, let batch = stream.nextBatch(maxRecords: options.batchSize) {
                batches.append(batch)
            }
            if !batches.isEmpty && !decodersReady {
                // The CSV header is known once the first batch is read.
                for worker in crews.joined() { worker.decoder = stream.makeDecoder(for: program.schema) }
                decodersReady = true
            }
            return batches
        }
        func drain(_ crew: [Worker], _ count: Int) {
            for worker in crew.prefix(count) {
                write(worker.out.bytes)
                summary.records += worker.records
                summary.errors += worker.errors
            }
        }

        // One thread: read, work and write in turn.
        if crews.count == 1 {
            let worker = crews[0][0]
            while let batch = read(into: crews[0]).first {
                worker.process(batch, offset: offset, inputName: inputName)
                drain(crews[0], 1)
            }
            return summary
        }

        // Every core: round r runs on crew r % 2 while the thread writes
        // round r - 1 and reads round r + 1.
        let group = DispatchGroup()
        let queue = DispatchQueue.global(qos: .userInitiated)
        func start(_ crew: [Worker], _ batches: [RecordBatch]) {
            for (worker, batch) in zip(crew, batches) {
                group.enter()
                queue.async {
                    worker.process(batch, offset: offset, inputName: inputName)
                    group.leave()
                }
            }
        }
        var turn = 0
        var running = read(into: crews[turn])
        start(crews[turn], running)
        while !running.isEmpty {
            let next = read(into: crews[1 - turn])
            group.wait()
            start(crews[1 - turn], next)
            drain(crews[turn], running.count)
            running = next
            turn = 1 - turn
        }
        group.wait()
        return summary
    }
}

/// One thread's decoder, record buffer, evaluator and output buffer. Only
/// one thread touches a worker at a time: the worker's thread during a
/// round, the runner's between rounds.
final class Worker: @unchecked Sendable {
    let program: Program
    let options: Runner.Options
    var decoder: RecordDecoder?
    var record: RecordBuffer
    let evaluator: Evaluator
    let writer: ResultWriter
    let out = OutputBuffer(capacity: 1 << 20)
    var records = 0
    var errors = 0

    init(program: Program, options: Runner.Options) {
        self.program = program
        self.options = options
        decoder = RecordDecoder(schema: program.schema, format: .jsonLines, columnMap: nil)
        record = RecordBuffer(fieldCount: program.schema.fields.count)
        evaluator = Evaluator(program: program)
        writer = ResultWriter(program: program)
    }

    func process(_ batch: RecordBatch, offset: Int, inputName: String?) {
        // The record and decoder are worked on as locals (moved out and
        // back), so that using them does not copy them out of the object.
        var record = RecordBuffer(fieldCount: 0)
        swap(&record, &self.record)
        var decoder = self.decoder.take() ?? RecordDecoder(schema: program.schema, format: batch.format, columnMap: nil)
        defer {
            swap(&record, &self.record)
            self.decoder = decoder
        }
        out.removeAll()
        records = batch.count
        errors = 0
        let now = Double(options.now)
        for i in 0..<batch.count {
            let number = batch.records[i].number + offset
            if let error = decoder.decode(batch, i, into: &record) {
                errors += 1
                let line = batch.records[i].line
                let message = inputName.map { "\($0): \(error.message)" } ?? error.message
                switch options.format {
                case .json: writer.writeError(record: number, line: line, message: message, into: out)
                case .text: writer.writeTextError(record: number, line: line, message: message, into: out)
                }
                continue
            }
            record.now = now
            evaluator.evaluate(record)
            switch options.format {
            case .json: writer.writeJSON(record: number, evaluator, record, into: out)
            case .text: writer.writeText(record: number, evaluator, record, into: out)
            }
            if let annotate = options.annotate { out.raw(annotate(evaluator, record)) }
        }
    }
}
