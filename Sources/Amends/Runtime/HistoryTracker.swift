/// A HistoryTracker works out each record's history facts (Grammar.md §5,
/// History): for every term a policy reads (`earlier (category = billing)
/// within 90 days`, `since last within 30 days`), its value from the
/// incidents of the same key that came before the record in the input.
///
/// The Runner evaluates batches on every core, so the facts are worked out
/// in a pass of their own that takes the batches strictly in input order
/// (`apply(_:turn:)` waits for its turn): each record's facts are read from
/// what the records before it left, then it is added. Results therefore do
/// not depend on the number of threads. What each record leaves (its key,
/// its clock time, which filters hold for it) is worked out beforehand, on
/// the worker, in parallel (`fact(_:)`).
///
/// Memory: per key, the incidents within the longest window of the latest
/// time read so far; keys with none are dropped when the keys held have
/// doubled since the last sweep (`sweep`). So at most twice the keys seen
/// within the longest window (and 1,024) are held, and their incidents
/// within it, whatever the input's length.
package final class HistoryTracker: @unchecked Sendable {
    // @unchecked: the state is only touched with `lock` held.

    /// A key's value as history compares it: a text's bytes, or a scalar's
    /// bits (levels, numbers, times, yes/no), `-0` read as `0`.
    enum Key: Hashable {
        case scalar(UInt64)
        case text([UInt8])
    }

    /// What one record leaves for the records after it; `key` nil when it
    /// has no key or no clock time (then it reads no history either).
    package struct Fact: Sendable {
        var key: Key?
        var time: Int64
        /// Bit `i`: filter `i` holds for the record.
        var mask: UInt64
    }

    struct Entry {
        var time: Int64
        var mask: UInt64
    }

    let terms: [HistoryTerm]
    let filters: [Program.Test]
    let keyField: Int
    let keyIsText: Bool
    let clockField: Int
    let longest: Int64

    private let lock = Lock()
    private let turnChanged = ConditionVariable()
    private var turn = 0
    private var slots: [Key: Int] = [:]
    private var entries: [[Entry]] = []
    private var freeSlots: [Int] = []
    private var latest = Int64.min
    /// The number of keys held that starts a sweep: twice what the last
    /// sweep left, and at least 1,024, so that sweeping costs O(1) a key.
    private var sweepAt = 1_024

    /// A tracker for a program whose policy reads history, else nil.
    package init?(program: Program) {
        let model = program.model
        guard !model.historyTerms.isEmpty, let key = model.historyKey, let clock = model.clockField else { return nil }
        terms = model.historyTerms
        var compiler = ConditionCompiler(model: model, calendars: program.calendars)
        filters = model.historyFilters.map { compiler.closure($0) }
        keyField = key
        keyIsText = model.fields.indices.contains(key) && model.fields[key].type == .text
        clockField = clock
        longest = model.longestHistoryWindow
    }

    /// Starts a new input of the same run: its batches count from 0 again.
    /// Call only when no batch is being applied.
    package func beginInput() {
        lock.lock()
        turn = 0
        lock.unlock()
    }

    // MARK: - On the worker

    /// What a decoded record leaves for the records after it.
    package func fact(_ r: RecordBuffer) -> Fact {
        guard r.isPresent(keyField), r.isPresent(clockField) else { return Fact(key: nil, time: 0, mask: 0) }
        let key: Key
        if keyIsText {
            key = .text(Array(r.text(keyField)))
        } else {
            let v = r.scalar(keyField)
            key = .scalar((v == 0 ? 0 : v).bitPattern)
        }
        var mask: UInt64 = 0
        for (i, f) in filters.enumerated() where i < 64 && f(r) { mask |= 1 << UInt64(i) }
        return Fact(key: key, time: ReferenceInterpreter.whole(r.scalar(clockField)), mask: mask)
    }

    /// The facts of a record read alone, with no incidents before it (an
    /// example, `amends explain`): no earlier incidents, none since.
    package func alone(_ r: RecordBuffer) -> [Double] {
        let present = r.isPresent(keyField) && r.isPresent(clockField)
        return terms.map { $0.measure == .count && present ? 0 : .nan }
    }

    // MARK: - In input order

    /// The history facts of one batch's records (NaN for a missing one), in
    /// order, once every batch before `turn` has been applied; the batch's
    /// records are then part of the history.
    package func apply(_ facts: [Fact], turn mine: Int) -> [[Double]] {
        lock.lock()
        defer { lock.unlock() }
        while turn != mine { turnChanged.wait(lock) }
        var out: [[Double]] = []
        out.reserveCapacity(facts.count)
        for fact in facts { out.append(step(fact)) }
        turn += 1
        turnChanged.broadcast()
        return out
    }

    /// One record's facts, then the record added.
    private func step(_ fact: Fact) -> [Double] {
        guard let key = fact.key else { return Array(repeating: .nan, count: terms.count) }
        let t = fact.time
        latest = max(latest, t)
        // Incidents more than the longest window before the latest time
        // read are forgotten (Grammar.md: input not in time order).
        let forgotten = latest &- longest
        var values = [Double](repeating: .nan, count: terms.count)
        let slot: Int
        if let known = slots[key] {
            slot = known
        } else if let free = freeSlots.popLast() {
            slot = free
            slots[key] = slot
        } else {
            slot = entries.count
            entries.append([])
            slots[key] = slot
        }
        entries[slot].withUnsafeBufferPointer { earlier in
            for (j, term) in terms.enumerated() {
                let from = max(t &- term.window, forgotten)
                let bit: UInt64 = term.filter.map { $0 < 64 ? 1 << UInt64($0) : 0 } ?? 0
                var count = 0
                var nearest = Int64.max
                for e in earlier where e.time >= from && e.time <= t && (bit == 0 || e.mask & bit != 0) {
                    count += 1
                    nearest = min(nearest, t - e.time)
                }
                switch term.measure {
                case .count: values[j] = Double(count)
                case .sinceLast: values[j] = nearest == Int64.max ? .nan : Double(nearest)
                }
            }
        }
        if let first = entries[slot].first, first.time < forgotten {
            entries[slot].removeAll { $0.time < forgotten }
        }
        entries[slot].append(Entry(time: t, mask: fact.mask))
        if slots.count > sweepAt {
            sweep(before: forgotten)
            sweepAt = max(1_024, 2 * slots.count)
        }
        return values
    }

    /// Drops every incident before `cutoff`, and the keys left with none.
    private func sweep(before cutoff: Int64) {
        for (key, slot) in slots {
            entries[slot].removeAll { $0.time < cutoff }
            if entries[slot].isEmpty {
                slots[key] = nil
                freeSlots.append(slot)
            }
        }
    }

    /// The keys and incidents held now (for tests of the memory bound).
    package var held: (keys: Int, incidents: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (slots.count, slots.values.reduce(0) { $0 + entries[$1].count })
    }
}
