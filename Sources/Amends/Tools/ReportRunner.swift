/// ReportRunner: a report straight from records, evaluated on every core as
/// `Runner` does (a worker a core, each taking the next batch of the stream
/// under a lock), but each worker adds its incidents to a report of its
/// own instead of writing lines; the workers' reports are merged at the
/// end. Order does not matter to a sum, so no worker waits for another.
package struct ReportRunner: Sendable {
    package let program: Program
    /// The time each action's status is judged at, and the deadline base
    /// of a record with no clock value (seconds since the epoch).
    package var now: Int64
    package var threads: Int
    package var batchSize = 1024
    /// The report's cut (its period, `--by`, dates), empty.
    package var template: Report
    /// The field `--by` names, by index in the record.
    package var byField: Int?

    package init(program: Program, now: Int64, threads: Int, template: Report, byField: Int?) {
        self.program = program
        self.now = now
        self.threads = max(1, threads)
        self.template = template
        self.byField = byField
    }

    /// The rules of the policy, as the report names them.
    package static func rules(of program: Program) -> [ReportRule] {
        program.model.rules.map { ReportRule(file: $0.file, line: $0.line, name: $0.name) }
    }

    /// Adds every record of `stream` to a copy of the template.
    package func run(_ stream: RecordStream) -> Report {
        let shared = SharedStream(stream)
        let parts = PartReports(count: threads)
        let me = self
        let others = (1..<threads).map { i in
            Runner.startThread { parts.set(i, me.work(shared)) }
        }
        parts.set(0, work(shared))
        for t in others { t.join() }
        var report = template
        report.policyRules = ReportRunner.rules(of: program)
        for part in parts.all() { report.merge(part) }
        report.finish()
        return report
    }

    /// One worker: batches until there are none.
    func work(_ shared: SharedStream) -> Report {
        var sum = ReportAccumulator(template)
        let names = ReportNames(program: program)
        let evaluator = Evaluator(program: program)
        var record = RecordBuffer(fieldCount: program.schema.fields.count)
        var summary = ReportRecord()
        var decoder: RecordDecoder?
        let clockField = program.schema.clockField
        let nowValue = Double(now)
        while let (batch, made) = shared.take(batchSize: batchSize, schema: program.schema, needDecoder: decoder == nil) {
            if let made { decoder = made }
            guard var d = decoder.take() else { break }
            for i in 0..<batch.count {
                if d.decode(batch, i, into: &record) != nil {
                    sum.add(.error, names: names)
                    continue
                }
                record.now = nowValue
                let evaluation = evaluator.evaluate(record)
                summary.fill(evaluation, record, now: now, clockField: clockField, byField: byField)
                sum.add(summary, names: names)
            }
            decoder = d
        }
        return sum.finished(names: names)
    }
}

/// The stream, read a batch at a time under a lock.
final class SharedStream: @unchecked Sendable {
    // @unchecked: `stream` is touched only under `lock`.
    let stream: RecordStream
    let lock = Lock()

    init(_ stream: RecordStream) { self.stream = stream }

    func take(batchSize: Int, schema: RecordSchema, needDecoder: Bool) -> (RecordBatch, RecordDecoder?)? {
        lock.lock()
        defer { lock.unlock() }
        guard let batch = stream.nextBatch(maxRecords: batchSize) else { return nil }
        return (batch, needDecoder ? stream.makeDecoder(for: schema) : nil)
    }
}

/// The workers' reports, each set once by its worker.
final class PartReports: @unchecked Sendable {
    // @unchecked: each slot is written by one worker, under `lock`.
    var parts: [Report?]
    let lock = Lock()

    init(count: Int) { parts = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Report) {
        lock.lock()
        if parts.indices.contains(i) { parts[i] = r }
        lock.unlock()
    }

    func all() -> [Report] {
        lock.lock()
        defer { lock.unlock() }
        return parts.compactMap { $0 }
    }
}
