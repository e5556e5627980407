import Dispatch

/// A RecordDiffer reads records once and evaluates each with two programs,
/// an old and a new, handing on a `RecordComparison` per record in input
/// order. Each program decodes the record with its own schema, so a record
/// one of them cannot read is said so, and the other still evaluates it.
/// Batches are compared on every core (a worker each, as `Runner` does),
/// one round of batches at a time, and handed on in input order.
package final class RecordDiffer {
    package let old: Program
    package let new: Program
    /// Seconds since the epoch: the deadline base when a record has no clock
    /// value, and the time `age` is measured at (as `amends run --now`).
    package let now: Int64
    /// The main files' names, as their rules' provenance gives them.
    package var oldMain: String?
    package var newMain: String?
    let workers: [DiffWorker]

    package init(old: Program, new: Program, now: Int64, threads: Int = Runner.processorCount) {
        self.old = old
        self.new = new
        self.now = now
        workers = (0..<max(1, threads)).map { _ in DiffWorker(old: old, new: new, now: now) }
    }

    /// Compares every record of `stream`, numbered from `firstNumber` and
    /// named as from `inputName` (with several inputs); returns how many
    /// records it read. `each` returns false to stop (the output is gone).
    /// A read error ends the stream early (`stream.failure` says why).
    package func run(_ stream: RecordStream, firstNumber: Int = 1, inputName: String? = nil,
                    each: (RecordComparison) -> Bool) -> Int {
        for worker in workers {
            worker.oldDecoder = stream.makeDecoder(for: old.schema)
            worker.newDecoder = stream.makeDecoder(for: new.schema)
            worker.oldMain = oldMain
            worker.newMain = newMain
        }
        var count = 0
        while true {
            var batches: [RecordBatch] = []
            while batches.count < workers.count, let batch = stream.nextBatch(maxRecords: 1024) { batches.append(batch) }
            if batches.isEmpty { return count }
            let results = DiffSlots<[RecordComparison]>(count: batches.count)
            let workers = self.workers, round = batches
            DispatchQueue.concurrentPerform(iterations: round.count) { k in
                // INVARIANT: k < round.count <= workers.count.
                results.set(k, workers[k].compare(round[k], offset: firstNumber - 1, inputName: inputName))
            }
            for k in 0..<round.count {
                count += round[k].count
                for r in results.get(k) ?? [] where !each(r) { return count }
            }
        }
    }
}

/// One core's share of a diff: its decoders, records and evaluators. Only
/// the thread comparing a batch touches a worker.
final class DiffWorker: @unchecked Sendable {
    let old: Program
    let new: Program
    let now: Int64
    var oldMain: String?
    var newMain: String?
    let oldEvaluator: Evaluator
    let newEvaluator: Evaluator
    var oldRecord: RecordBuffer
    var newRecord: RecordBuffer
    var oldDecoder: RecordDecoder
    var newDecoder: RecordDecoder

    init(old: Program, new: Program, now: Int64) {
        self.old = old
        self.new = new
        self.now = now
        oldEvaluator = Evaluator(program: old)
        newEvaluator = Evaluator(program: new)
        oldRecord = RecordBuffer(fieldCount: old.schema.fields.count)
        newRecord = RecordBuffer(fieldCount: new.schema.fields.count)
        oldDecoder = RecordDecoder(schema: old.schema, format: .jsonLines, columnMap: nil)
        newDecoder = RecordDecoder(schema: new.schema, format: .jsonLines, columnMap: nil)
    }

    func compare(_ batch: RecordBatch, offset: Int, inputName: String?) -> [RecordComparison] {
        var out: [RecordComparison] = []
        out.reserveCapacity(batch.count)
        for i in 0..<batch.count {
            let entry = batch.records[i]
            let oldError = oldDecoder.decode(batch, i, into: &oldRecord)?.message
            let newError = newDecoder.decode(batch, i, into: &newRecord)?.message
            var result = RecordComparison(number: entry.number + offset, input: inputName, line: entry.line, id: nil,
                                          oldError: oldError, newError: newError, changes: [], provenanceDiffers: false)
            if newError == nil {
                result.id = id(new, newRecord)
            } else if oldError == nil {
                result.id = id(old, oldRecord)
            }
            if oldError == nil && newError == nil {
                oldRecord.now = Double(now)
                newRecord.now = Double(now)
                let oldOutcome = Outcome(oldEvaluator.evaluate(oldRecord))
                let newOutcome = Outcome(newEvaluator.evaluate(newRecord))
                (result.changes, result.provenanceDiffers) = PolicyDiff.compare(oldOutcome, newOutcome,
                                                                                oldMain: oldMain, newMain: newMain)
            }
            out.append(result)
        }
        return out
    }

    func id(_ program: Program, _ record: RecordBuffer) -> String? {
        guard let f = program.schema.idField, record.isPresent(f) else { return nil }
        return program.schema.text(of: f, in: record)
    }
}

/// Results by index, set from many threads, each to its own slot (a few a
/// round, so a serial queue costs nothing measurable).
final class DiffSlots<T: Sendable>: @unchecked Sendable {
    // INVARIANT: `items` is only read and written on `queue`.
    private let queue = DispatchQueue(label: "amends.diff.results")
    private var items: [T?]

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ value: T) { queue.sync { items[k] = value } }
    func get(_ k: Int) -> T? { queue.sync { items.indices.contains(k) ? items[k] : nil } }
}

/// A DiffTally counts a diff's records and each distinct change, keeping a
/// few example records of each, in the order changes were first seen.
public struct DiffTally: Sendable {
    /// One distinct change (or one sort of unreadable record) and its records.
    public struct Entry: Sendable {
        public var sort: ActionChange.Sort
        public var aspect: ActionChange.Aspect
        public var label: String
        public var count = 0
        /// Up to `DiffTally.examples` records: number, id and their own account.
        public var examples: [(number: Int, id: String?, detail: String)] = []
    }

    /// How many examples each entry keeps.
    public static let examples = 3

    public var records = 0
    /// Records whose required actions differ.
    public var changed = 0
    /// Records with the same requirements from different rules.
    public var provenanceOnly = 0
    public var unreadableByOld = 0
    public var unreadableByNew = 0
    public var unreadableByBoth = 0
    /// Examples of records only one policy can read: number, id, which policy failed and why.
    public var oneSided: [(number: Int, id: String?, detail: String)] = []
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Readable by both, with the same requirements.
    public var same: Int { records - changed - unreadableByOld - unreadableByNew + unreadableByBoth }

    /// Something is required differently, or a record is read by one policy only.
    public var differs: Bool { changed > 0 || unreadableByOld > unreadableByBoth || unreadableByNew > unreadableByBoth }

    /// The entries, most records first (first seen first among equals).
    public var ranked: [Entry] {
        entries.enumerated().sorted { a, b in
            a.element.count != b.element.count ? a.element.count > b.element.count : a.offset < b.offset
        }.map(\.element)
    }

    public mutating func add(_ r: RecordComparison) {
        records += 1
        if r.oldError != nil { unreadableByOld += 1 }
        if r.newError != nil { unreadableByNew += 1 }
        if r.oldError != nil && r.newError != nil { unreadableByBoth += 1 }
        if r.oneSided, oneSided.count < DiffTally.examples {
            oneSided.append((r.number, r.id, DiffTally.unreadable(r)))
        }
        if !r.changes.isEmpty { changed += 1 }
        if r.provenanceDiffers { provenanceOnly += 1 }
        var seen = Set<String>()
        for c in r.changes where seen.insert(c.label).inserted {
            let k: Int
            if let existing = index[c.label] {
                k = existing
            } else {
                k = entries.count
                index[c.label] = k
                entries.append(Entry(sort: c.sort, aspect: c.aspect, label: c.label))
            }
            entries[k].count += 1
            if entries[k].examples.count < DiffTally.examples {
                entries[k].examples.append((r.number, r.id, c.detail))
            }
        }
    }

    /// `the old policy cannot read it: …` for a record one policy cannot read.
    public static func unreadable(_ r: RecordComparison) -> String {
        switch (r.oldError, r.newError) {
        case (let o?, let n?): return "neither policy can read it: old: \(o); new: \(n)"
        case (let o?, nil): return "the old policy cannot read it: \(o)"
        case (nil, let n?): return "the new policy cannot read it: \(n)"
        case (nil, nil): return ""
        }
    }
}
