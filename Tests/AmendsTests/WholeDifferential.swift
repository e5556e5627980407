// The whole-result differential check: for a policy and JSON Lines records,
// the `ReferenceEvaluator`'s result against the fast path's (the `Outcome`
// of its `Evaluation`) and against the line `amends run` writes (a
// one-thread `Runner`, parsed), field by field (`ReferenceComparison`).
@testable import Amends

enum WholeDifferential {
    /// What comparing one policy's records found.
    struct Report {
        var pairs = 0
        var errorRecords = 0
        var disagreements: [ReferenceComparison.Disagreement] = []
    }

    /// Runs `records` (JSON Lines) through `amends run`'s path and through
    /// an evaluator, and compares each with the reference.
    static func compare(_ program: Program, records: String, now: Int64) -> Report {
        var report = Report()
        let bytes = Array(records.utf8)
        var options = Runner.Options()
        options.threads = 1
        options.now = now
        var output: [UInt8] = []
        _ = Runner(program: program, options: options).run(RecordStream(bytes: bytes, format: .jsonLines)) {
            output.append(contentsOf: $0)
        }
        let lines = output.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()

        let reference = ReferenceEvaluator(model: program.model, calendar: program.calendar, calendars: program.calendars)
        let evaluator = Evaluator(program: program)
        let stream = RecordStream(bytes: bytes, format: .jsonLines)
        var decoder = stream.makeDecoder(for: program.schema)
        var record = RecordBuffer(fieldCount: program.schema.fields.count)
        var number = 0
        while let batch = stream.nextBatch(maxRecords: 64) {
            for i in 0..<batch.count {
                number += 1
                let line = lines.count >= number ? Array(lines[lines.startIndex + number - 1]) : []
                if decoder.decode(batch, i, into: &record) != nil {
                    report.errorRecords += 1
                    continue
                }
                record.now = Double(now)
                let expected = reference.result(for: record, now: now)
                let evaluation = evaluator.evaluate(record)
                report.disagreements += ReferenceComparison.check(expected, evaluation, record, number: number, line: line)
                report.pairs += 1
            }
        }
        return report
    }
}
