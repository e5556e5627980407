import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Runner evaluates a stream of records against a program and writes one
/// result per record, in input order.
///
/// It runs one worker a core. Each worker in turn takes an output buffer
/// and the next batch of records from the stream (one at a time, under a
/// lock), decodes, evaluates and writes it into the buffer, and hands the
/// buffer in. Buffers are written in the batches' order by whichever worker
/// hands in the one that is next; a worker whose batch is not next leaves
/// its buffer for that worker and goes on to another batch, so no worker
/// waits for another's turn. Reading, working and writing overlap across
/// the workers, a worker that gets more of the machine does more batches,
/// and the output keeps the input's order. Memory stays bounded: one batch
/// a worker, and two output buffers a worker (`Turns.buffersPerWorker`).
/// With one worker for each CPU the process may use, each worker's thread
/// keeps to one CPU during the run (Linux).
public final class Runner {
    public enum Format: String, Sendable { case json, text }

    public struct Options: Sendable {
        public var format: Format = .json
        /// Seconds since the epoch: the deadline base when a record has no
        /// clock value, and the time `age` is measured at.
        public var now: Int64 = 0
        public var threads: Int = Runner.processorCount
        public var batchSize: Int = 1024
        /// More about each record (e.g. `--explain`), made on the worker. In
        /// text format it is written after the record's result; in JSON
        /// format it must be one JSON value on one line, and it goes into the
        /// record's line as its `explain` member, so the output stays one
        /// JSON line per record.
        package var annotate: (@Sendable (Program, RecordBuffer) -> [UInt8])?
        /// `--status`: only the actions with these statuses, and only the
        /// records with any (nil: all). Error lines are always written.
        package var statuses: Set<ProgressStatus>?
        /// More members for each record's JSON line (`amends run
        /// --for-report`): bytes that start with a comma, written before
        /// the line's closing brace. Ignored in text format.
        package var members: (@Sendable (Evaluation, RecordBuffer) -> [UInt8])?

        public init() {}
    }

    public struct Summary: Sendable {
        /// Records whose results were written.
        public var records = 0
        /// Of those, the ones that could not be read (an error line each).
        public var errors = 0
        /// Whether `write` asked to stop (the output is gone) before the
        /// input was used up.
        public var stopped = false
    }

    package let program: Program
    public let options: Options
    private let workers: [Worker]
    /// Works out history facts in input order, when the policy reads
    /// history; it keeps what earlier inputs of the run left.
    package let history: HistoryTracker?

    /// A runner for a loaded policy: `run` streams records through it on
    /// every core (`options.threads`), writing `amends run`'s output.
    public convenience init(policy: Policy, options: Options) {
        self.init(program: policy.program, options: options)
    }

    package init(program: Program, options: Options) {
        self.program = program
        self.options = options
        let history = HistoryTracker(program: program)
        self.history = history
        workers = (0..<max(1, options.threads)).map { _ in Worker(program: program, options: options, history: history) }
    }

    /// The cores this process may run on (its CPU affinity, so `taskset -c 0`
    /// counts one), at least 1.
    public static var processorCount: Int {
        let n = allowedCPUs().count
        return n > 0 ? n : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The CPUs this thread may run on, ascending (empty when unknown).
    static func allowedCPUs() -> [Int] {
        var mask = [UInt64](repeating: 0, count: 16)   // 1,024 CPUs, as cpu_set_t
        guard affinity("sched_getaffinity", &mask) else { return [] }
        return (0..<(mask.count * 64)).filter { mask[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    /// Runs `body` with the calling thread kept on one CPU (when `cpu` is
    /// given, on Linux), as `taskset` would, then lets it run where it
    /// could before: a worker a core, each on its own, so that the
    /// scheduler does not put two on one core or move one between caches.
    static func onCPU(_ cpu: Int?, _ body: () -> Void) {
        guard let cpu, cpu >= 0, cpu < 1024 else { return body() }
        var before = [UInt64](repeating: 0, count: 16)
        var one = [UInt64](repeating: 0, count: 16)
        one[cpu >> 6] = 1 << UInt64(cpu & 63)
        // A failure leaves the thread as it was.
        let moved = affinity("sched_getaffinity", &before) && affinity("sched_setaffinity", &one)
        body()
        if moved { _ = affinity("sched_setaffinity", &before) }
    }

    /// Calls `sched_getaffinity` or `sched_setaffinity` for the calling
    /// thread with `mask` (a cpu_set_t); false when it failed or is not
    /// there (not Linux). They are GNU extensions the Glibc module does not
    /// show, so they are looked up in the C library.
    static func affinity(_ name: String, _ mask: inout [UInt64]) -> Bool {
        #if os(Linux)
        typealias Call = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return false }
        let call = unsafeBitCast(symbol, to: Call.self)
        return mask.withUnsafeMutableBytes { raw in raw.baseAddress.map { call(0, raw.count, $0) == 0 } ?? false }
        #else
        return false
        #endif
    }

    /// Runs every record of `stream`, numbering them from `firstNumber`,
    /// calling `write` with output bytes in input order (the bytes are valid
    /// only during the call; calls come from one thread at a time, not
    /// always the caller's). With `inputName` (a run over several inputs)
    /// every result and error line names its input: an `"input"` member
    /// after `"record"` in JSON, `record 3 from NAME` in text.
    public func run(_ stream: RecordStream, firstNumber: Int = 1, inputName: String? = nil,
                    write: (UnsafeBufferPointer<UInt8>) -> Void) -> Summary {
        run(stream, firstNumber: firstNumber, inputName: inputName, writeOrStop: { bytes in
            write(bytes)
            return true
        })
    }

    /// As `run(_:firstNumber:inputName:write:)`, but `writeOrStop` returns
    /// false when the output is gone (a closed pipe, a full disk): the run
    /// then stops, with no more calls, once the batches already taken are
    /// done (at most one a worker), and the summary says `stopped`.
    public func run(_ stream: RecordStream, firstNumber: Int = 1, inputName: String? = nil,
                    writeOrStop: (UnsafeBufferPointer<UInt8>) -> Bool) -> Summary {
        run(stream, firstNumber: firstNumber, inputName: inputName, historyOnly: false, writeOrStop: writeOrStop)
    }

    /// Reads a history file (`amends run --history FILE`): its records
    /// become the earlier incidents of the inputs run after it, and nothing
    /// is written. The summary counts its records and those that could not
    /// be read (which are not history). Nothing happens for a policy that
    /// reads no history.
    public func readHistory(_ stream: RecordStream) -> Summary {
        guard history != nil else { return Summary() }
        return run(stream, firstNumber: 1, inputName: nil, historyOnly: true, writeOrStop: { _ in true })
    }

    func run(_ stream: RecordStream, firstNumber: Int, inputName: String?, historyOnly: Bool,
             writeOrStop: (UnsafeBufferPointer<UInt8>) -> Bool) -> Summary {
        withoutActuallyEscaping(writeOrStop) { write in
            history?.beginInput()
            let turns = Turns(stream: stream, workers: workers.count, write: write)
            turns.historyOnly = historyOnly
            let offset = firstNumber - 1
            let program = self.program
            let batchSize = options.batchSize
            // With a worker for each allowed CPU (the default), each keeps
            // to its own for the run, and is let go after: measured, a run
            // on every core is about 8% quicker so. A core that another
            // process slows just does fewer batches.
            let cpus = Runner.allowedCPUs()
            let pinned = workers.count > 1 && cpus.count == workers.count
            let others = workers.enumerated().dropFirst().map { i, worker in
                Runner.startThread {
                    Runner.onCPU(pinned ? cpus[i] : nil) {
                        worker.work(turns, program: program, batchSize: batchSize, offset: offset, inputName: inputName)
                    }
                }
            }
            Runner.onCPU(pinned ? cpus[0] : nil) {
                workers[0].work(turns, program: program, batchSize: batchSize, offset: offset, inputName: inputName)
            }
            for thread in others { thread.join() }
            // The workers' threads may outlive the run by a moment (they
            // end after `join` returns); `write` must not (it does not
            // escape `run`).
            turns.finish()
            return turns.summary
        }
    }
}

/// A WorkerThread runs a worker on a thread of the runner's own, started
/// at once: Dispatch's pool started its first thread about a millisecond
/// after the first worker had begun (measured). When no thread can be
/// made, the body runs on a Dispatch queue instead.
final class WorkerThread: @unchecked Sendable {
    // @unchecked: `body` is run once, by the thread; `done` is waited on.
    let body: @Sendable () -> Void
    let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func run() {
        body()
        done.signal()
    }

    /// Waits until the body has run.
    func join() { done.wait() }
}

extension Runner {
    /// Starts `body` on a thread of its own (Linux), or else on a Dispatch
    /// queue.
    static func startThread(_ body: @escaping @Sendable () -> Void) -> WorkerThread {
        let thread = WorkerThread(body)
        #if os(Linux)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var id = pthread_t()
        let context = Unmanaged.passRetained(thread).toOpaque()
        let started = pthread_create(&id, &attributes, { context in
            // INVARIANT: the context is the WorkerThread retained above.
            guard let context else { return nil }
            Unmanaged<WorkerThread>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        if started == 0 { return thread }
        Unmanaged<WorkerThread>.fromOpaque(context).release()
        #endif
        DispatchQueue.global(qos: .userInitiated).async { thread.run() }
        return thread
    }
}

/// Turns is what the workers of one run share: the stream, read one batch
/// at a time in order under `reading`; and the output buffers, free or
/// handed in, written in the batches' order, under `writing`.
final class Turns: @unchecked Sendable {
    // @unchecked: the stream and `nextBatch` are touched only under
    // `reading`; the buffers, `nextToWrite`, `writerBusy` and `summary`
    // only under `writing`; `write` only by the worker that set `writerBusy`.
    let stream: RecordStream
    var write: ((UnsafeBufferPointer<UInt8>) -> Bool)?
    let reading = Lock()
    let writing = Lock()
    /// Signalled when a buffer is freed.
    let freed = ConditionVariable()
    var nextBatch = 0
    var nextToWrite = 0
    /// Whether a worker is writing handed-in buffers (then it writes every
    /// one that becomes next, and the others only hand theirs in).
    var writerBusy = false
    /// Buffers handed in and not yet written, by batch index.
    var handedIn: [Int: Handed] = [:]
    var free: [OutputBuffer]
    var summary = Runner.Summary()
    /// Set (under `writing`) once `write` returned false; read (under
    /// `reading`) so that no batch is taken after it.
    let stopping = Atomic<Bool>(false)

    /// Output buffers a worker: one it fills, one written or waiting.
    static let buffersPerWorker = 2

    struct Handed {
        var out: OutputBuffer
        var records: Int
        var errors: Int
    }

    /// The stream is a history file: its records only become history.
    var historyOnly = false

    init(stream: RecordStream, workers: Int, write: @escaping (UnsafeBufferPointer<UInt8>) -> Bool) {
        self.stream = stream
        self.write = write
        free = (0..<max(1, workers) * Turns.buffersPerWorker).map { _ in OutputBuffer(capacity: 1 << 20) }
    }

    /// A free output buffer, waiting for one to be written if need be.
    /// (A worker takes its buffer before its batch, so the worker with the
    /// earliest unwritten batch always has one, and a buffer is freed.)
    func buffer() -> OutputBuffer {
        writing.lock()
        defer { writing.unlock() }
        while free.isEmpty { freed.wait(writing) }
        return free.removeLast()
    }

    /// Gives back a buffer that was not used.
    func giveBack(_ out: OutputBuffer) {
        writing.lock()
        free.append(out)
        freed.broadcast()
        writing.unlock()
    }

    /// The next batch and its place in the output, or nil at the end; and,
    /// when `newDecoder`, a decoder for the stream (the CSV header is known
    /// once it is open). Each worker makes its own: copies of one decoder
    /// would share its buffers, and the cores would contend for their
    /// reference counts on every record (measured: 11 ms a run).
    func take(batchSize: Int, schema: RecordSchema, newDecoder: Bool) -> (RecordBatch, Int, RecordDecoder?)? {
        reading.lock()
        defer { reading.unlock() }
        guard !stopping.load(ordering: .relaxed), let batch = stream.nextBatch(maxRecords: batchSize) else { return nil }
        nextBatch += 1
        return (batch, nextBatch - 1, newDecoder ? stream.makeDecoder(for: schema) : nil)
    }

    /// Lets go of `write` (every worker has finished).
    func finish() {
        writing.lock()
        write = nil
        writing.unlock()
    }

    /// Hands in batch `index`'s output; when it is next and no worker is
    /// writing, writes it and every handed-in buffer after it that is next
    /// in turn, outside the lock, then frees them. False when the run is
    /// stopping (the output is gone).
    func put(_ index: Int, _ out: OutputBuffer, records: Int, errors: Int) -> Bool {
        writing.lock()
        defer { writing.unlock() }
        // Every batch taken is handed in, written or not, so that the
        // batches after it are written too.
        handedIn[index] = Handed(out: out, records: records, errors: errors)
        guard !writerBusy else { return !summary.stopped }
        writerBusy = true
        while let next = handedIn.removeValue(forKey: nextToWrite) {
            nextToWrite += 1
            var written = false
            if !summary.stopped, let write {
                writing.unlock()
                written = write(next.out.bytes)
                writing.lock()
                if written {
                    summary.records += next.records
                    summary.errors += next.errors
                } else {
                    summary.stopped = true
                    stopping.store(true, ordering: .relaxed)
                }
            }
            next.out.removeAll()
            free.append(next.out)
            freed.broadcast()
        }
        writerBusy = false
        return !summary.stopped
    }
}

/// A pthread mutex, as a class so that it has a stable address (a
/// condition variable needs one; Synchronization's `Mutex` has none).
final class Lock: @unchecked Sendable {
    var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}

/// A pthread condition variable, waited on with a `Lock` held.
final class ConditionVariable: @unchecked Sendable {
    var condition = pthread_cond_t()

    init() { pthread_cond_init(&condition, nil) }
    deinit { pthread_cond_destroy(&condition) }

    func wait(_ m: Lock) { pthread_cond_wait(&condition, &m.mutex) }
    func broadcast() { pthread_cond_broadcast(&condition) }
}

/// One thread's decoder, record buffer and evaluator. Only the thread
/// running `work` touches a worker.
final class Worker: @unchecked Sendable {
    let program: Program
    let options: Runner.Options
    var decoder: RecordDecoder?
    var record: RecordBuffer
    let evaluator: Evaluator
    let writer: ResultWriter
    /// How the actions of each remembered result were written.
    let templates = ActionTemplates()
    var records = 0
    var errors = 0
    /// Whether `decoder` was made for the stream being run.
    var decoderReady = false
    let history: HistoryTracker?

    init(program: Program, options: Runner.Options, history: HistoryTracker? = nil) {
        self.program = program
        self.options = options
        self.history = history
        decoder = RecordDecoder(schema: program.schema, format: .jsonLines, columnMap: nil)
        record = RecordBuffer(fieldCount: program.schema.fields.count)
        evaluator = Evaluator(program: program)
        var writer = ResultWriter(program: program)
        writer.statuses = options.statuses
        self.writer = writer
    }

    /// Takes batches from `turns` until there are none, writing each.
    func work(_ turns: Turns, program: Program, batchSize: Int, offset: Int, inputName: String?) {
        while true {
            let out = turns.buffer()
            guard let (batch, index, decoder) = turns.take(batchSize: batchSize, schema: program.schema, newDecoder: !decoderReady) else {
                turns.giveBack(out)
                break
            }
            if let decoder {
                self.decoder = decoder
                decoderReady = true
            }
            if turns.historyOnly, let history {
                prime(batch, history, index: index)
                out.removeAll()
            } else {
                process(batch, index: index, offset: offset, inputName: inputName, into: out)
            }
            guard turns.put(index, out, records: records, errors: errors) else { break }
        }
        decoderReady = false
    }

    func process(_ batch: RecordBatch, index: Int = 0, offset: Int, inputName: String?, into out: OutputBuffer) {
        // The record and decoder are worked on as locals (moved out and
        // back), so that using them does not copy them out of the object.
        var record = RecordBuffer(fieldCount: 0)
        swap(&record, &self.record)
        var decoder = self.decoder.take() ?? RecordDecoder(schema: program.schema, format: batch.format, columnMap: nil)
        let facts = history.map { historyFacts(batch, $0, index: index, &record, &decoder) } ?? []
        run(batch, offset: offset, inputName: inputName, into: out, &record, &decoder, history: facts)
        swap(&record, &self.record)
        self.decoder = decoder
    }

    /// `process` with the record and decoder as its own: each record is
    /// decoded into `record` and evaluated from it in place (passed on as
    /// the caller's, so that nothing is retained a record).
    /// Adds a history file's batch to the history; `records` and `errors`
    /// count it.
    func prime(_ batch: RecordBatch, _ tracker: HistoryTracker, index: Int) {
        var record = RecordBuffer(fieldCount: 0)
        swap(&record, &self.record)
        var decoder = self.decoder.take() ?? RecordDecoder(schema: program.schema, format: batch.format, columnMap: nil)
        _ = historyFacts(batch, tracker, index: index, &record, &decoder)
        swap(&record, &self.record)
        self.decoder = decoder
    }

    /// The history facts of a batch's records: each record decoded once more
    /// to see what it leaves, then the facts worked out in input order
    /// (`HistoryTracker.apply` waits for the batches before this one).
    func historyFacts(_ batch: RecordBatch, _ tracker: HistoryTracker, index: Int,
                      _ record: inout RecordBuffer, _ decoder: inout RecordDecoder) -> [[Double]] {
        var facts: [HistoryTracker.Fact] = []
        facts.reserveCapacity(batch.count)
        records = batch.count
        errors = 0
        for i in 0..<batch.count {
            if decoder.decode(batch, i, into: &record) == nil {
                facts.append(tracker.fact(record))
            } else {
                errors += 1
                facts.append(HistoryTracker.Fact(key: nil, time: 0, mask: 0))
            }
        }
        return tracker.apply(facts, turn: index)
    }

    func run(_ batch: RecordBatch, offset: Int, inputName: String?, into out: OutputBuffer,
             _ record: inout RecordBuffer, _ decoder: inout RecordDecoder, history: [[Double]] = []) {
        out.removeAll()
        records = batch.count
        errors = 0
        let now = Double(options.now)
        // Held as locals for the batch, so that each record retains nothing.
        let evaluator = self.evaluator, writer = self.writer, templates = self.templates
        let annotate = options.annotate, format = options.format, tracked = writer.tracked,
            members = options.members
        let inputMember = inputName.map(ResultWriter.inputMember)
        for i in 0..<batch.count {
            let number = batch.records[i].number + offset
            if let error = decoder.decode(batch, i, into: &record) {
                errors += 1
                let line = batch.records[i].line
                switch format {
                case .json: writer.writeError(record: number, line: line, message: error.message, into: out, input: inputMember)
                case .text: writer.writeTextError(record: number, line: line, message: error.message, into: out, input: inputName)
                }
                continue
            }
            record.now = now
            // INVARIANT: `history` has one entry a record when it is not empty.
            if !history.isEmpty { record.history = history[i] }
            let evaluation = evaluator.evaluate(record)
            let extra = annotate?(program, record)
            switch format {
            case .json:
                if tracked {
                    writer.writeTrackedJSON(record: number, evaluation, record, into: out, explain: extra, input: inputMember,
                                             members: members?(evaluation, record))
                } else {
                    writer.writeJSON(record: number, evaluation, record, into: out, explain: extra, templates: templates,
                                     input: inputMember, members: members?(evaluation, record))
                }
            case .text:
                writer.writeText(record: number, evaluation, record, into: out, input: inputName)
                if let extra { out.raw(extra) }
            }
        }
    }
}
