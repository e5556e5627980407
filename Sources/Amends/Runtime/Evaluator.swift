/// An Evaluator runs a `Program` on records, one at a time: its `Matcher`
/// finds the rules that fire, its `Merger` merges their actions into what
/// the record requires, and its `MergeMemo`, a cache around the merger,
/// gives records that fire the same rules the result already merged. What
/// it gives is an `Evaluation`, read by everything that reports a result.
///
/// It owns scratch space sized for the program once, at creation, so that
/// evaluating allocates nothing; use one Evaluator per thread.
///
/// The semantics are Grammar.md §7-8 (summarised on `Matcher` and
/// `Merger`); `ReferenceEvaluator` states them again in plain code, and the
/// two are tested against each other.
package final class Evaluator {
    package let program: Program
    let matcher: Matcher
    let merger: Merger
    /// The merged results of the sets of fired rules seen: made once the
    /// evaluator has evaluated `MergeMemo.warmUp` records, so that one made
    /// for a few records never pays for it; never when the program has more
    /// than 64 `when` rules, or when not asked for (`remembers`).
    var memo: MergeMemo?
    let remembers: Bool
    var evaluations = 0
    let clockField: Int
    /// The fields a record has slots for.
    let fieldCount: Int

    /// An evaluator for `program`; `remembering` keeps the merged result
    /// of each set of fired rules seen, so that records alike are quicker
    /// (`MergeMemo`); the results are the same either way.
    package init(program: Program, remembering: Bool = true) {
        self.program = program
        matcher = Matcher(program: program)
        merger = Merger(program: program)
        remembers = remembering && program.whenRules.count <= 64
        clockField = program.schema.clockField ?? -1
        fieldCount = program.schema.fields.count
    }

    deinit { memo?.deallocate() }

    /// Evaluates one record: which rules fire, and what they require.
    @discardableResult
    package func evaluate(_ record: RecordBuffer) -> Evaluation {
        guard record.fieldCount >= fieldCount else {
            // A buffer made for fewer fields than the program declares (not
            // by its readers): the fields it has no slot for are missing.
            var padded = record
            padded.slots += Array(repeating: RecordBuffer.Slot(), count: fieldCount - record.fieldCount)
            return evaluate(padded)
        }
        let base = Evaluator.seconds(clockField >= 0 && record.isPresent(clockField) ? record.scalar(clockField) : record.now)
        let (set, listed) = matcher.match(record)
        let memo = warmMemo()
        let remembering = memo != nil && base > -MergeMemo.clockLimit && base < MergeMemo.clockLimit
        if remembering, let memo, let hit = memo.recall(set) {
            return Evaluation(program: program, matcher: matcher, base: base, count: Int(hit.counts.results),
                              results: hit.results, contributions: hit.contributions, slots: merger.slots,
                              firedSet: set, firedListed: listed, waivedKinds: 0, waives: merger.waives, waiveCount: 0,
                              dropped: merger.dropped, droppedCount: 0,
                              recalled: Evaluation.Recalled(entry: hit.entry, version: memo.versions[hit.entry]))
        }
        let firedCount = listed ?? matcher.list(set)
        merger.merge(matcher.fired, count: firedCount, base: base)
        if remembering, let memo { memo.remember(merger, set) }
        return Evaluation(program: program, matcher: matcher, base: base, count: merger.resultCount,
                          results: merger.results, contributions: merger.contributions, slots: merger.slots,
                          firedSet: set, firedListed: firedCount, waivedKinds: merger.waivedKinds,
                          waives: merger.waives, waiveCount: merger.waiveCount,
                          dropped: merger.dropped, droppedCount: merger.droppedCount, recalled: nil)
    }

    /// What `record` requires under `program`, as values (with each
    /// action's progress when the policy tracks any): for one record
    /// (an evaluator kept for many is quicker).
    package static func outcome(of record: RecordBuffer, under program: Program) -> Outcome {
        let evaluator = Evaluator(program: program, remembering: false)
        return withExtendedLifetime(evaluator) { Outcome(evaluator.evaluate(record), tracking: record) }
    }

    /// Whole seconds of a time slot: readers store whole seconds within
    /// ±2^53; anything else a caller stores (infinity, NaN) is clamped, so
    /// that no clock can trap.
    @inline(__always)
    static func seconds(_ t: Double) -> Int64 {
        guard t > -9.0e18 && t < 9.0e18 else { return t > 0 ? 9_000_000_000_000_000_000 : (t < 0 ? -9_000_000_000_000_000_000 : 0) }
        return Int64(t)
    }

    /// The memo, once this evaluator has evaluated enough records to make
    /// it worth its memory (about a megabyte).
    @inline(__always)
    func warmMemo() -> MergeMemo? {
        if let memo { return memo }
        guard remembers else { return nil }
        evaluations += 1
        guard evaluations > MergeMemo.warmUp else { return nil }
        let made = MergeMemo()
        memo = made
        return made
    }
}
