import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Runner evaluates a stream of records against a program and writes one
/// result per record, in input order.
///
/// The stream is read in batches on the calling thread; each round hands one
/// batch to each worker (one per core), the workers decode, evaluate and
/// write their batch into their own buffer at the same time, and the buffers
/// are then written out in order. Memory stays bounded: one round of batches
/// at a time, whatever the input's size.
public final class Runner {
    public enum Format: String, Sendable { case json, text }

    public struct Options: Sendable {
        public var format: Format = .json
        /// Seconds since the epoch: the deadline base when a record has no
        /// clock value, and the time `age` is measured at.
        public var now: Int64 = 0
        public var threads: Int = Runner.processorCount
        public var batchSize: Int = 4096
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
    private let workers: [Worker]

    public init(program: Program, options: Options) {
        self.program = program
        self.options = options
        self.workers = (0..<max(1, options.threads)).map { _ in Worker(program: program, options: options) }
    }

    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Runs every record of `stream`, numbering them from `firstNumber`,
    /// calling `write` with output bytes in input order.
    public func run(_ stream: RecordStream, firstNumber: Int = 1, inputName: String? = nil,
                    write: ([UInt8]) -> Void) -> Summary {
        var summary = Summary()
        var decodersReady = false
        while true {
            var batches: [RecordBatch] = []
            while batches.count < workers.count, let batch = stream.nextBatch(maxRecords: options.batchSize) {
                batches.append(batch)
            }
            if batches.isEmpty { break }
            if !decodersReady {
                // The CSV header is known once the first batch is read.
                for worker in workers { worker.decoder = stream.makeDecoder(for: program.schema) }
                decodersReady = true
            }
            let offset = firstNumber - 1
            if batches.count == 1 {
                workers[0].process(batches[0], offset: offset, inputName: inputName)
            } else {
                let work = batches
                let ws = workers
                DispatchQueue.concurrentPerform(iterations: work.count) { i in
                    ws[i].process(work[i], offset: offset, inputName: inputName)
                }
            }
            for i in batches.indices {
                write(workers[i].out.bytes)
                summary.records += batches[i].count
                summary.errors += workers[i].errors
            }
        }
        return summary
    }
}

/// One thread's decoder, record buffer, evaluator and output buffer. Only the
/// worker's own thread touches it during a round.
final class Worker: @unchecked Sendable {
    let program: Program
    let options: Runner.Options
    var decoder: RecordDecoder
    var record: RecordBuffer
    let evaluator: Evaluator
    let writer: ResultWriter
    var out = JSONBytes(capacity: 1 << 20)
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
        out.bytes.removeAll(keepingCapacity: true)
        errors = 0
        let now = Double(options.now)
        for i in 0..<batch.count {
            let entry = batch.records[i]
            let number = entry.number + offset
            if let error = decoder.decode(batch, i, into: &record) {
                errors += 1
                let message = inputName.map { "\($0): \(error.message)" } ?? error.message
                switch options.format {
                case .json: writer.writeError(record: number, line: entry.line, message: message, into: &out)
                case .text: writer.writeTextError(record: number, line: entry.line, message: message, into: &out)
                }
                continue
            }
            record.now = now
            evaluator.evaluate(record)
            switch options.format {
            case .json: writer.writeJSON(record: number, evaluator, record, into: &out)
            case .text: writer.writeText(record: number, evaluator, record, into: &out)
            }
            if let annotate = options.annotate { out.raw(annotate(evaluator, record)) }
        }
    }
}
