/// An Evaluator runs a `Program` on records, one at a time, and holds the
/// merged result of the last one. It owns scratch space sized for the
/// program once, at creation, so evaluating allocates nothing; use one
/// Evaluator per thread.
///
/// The semantics (Grammar.md, "What a policy requires"):
/// - every `when` rule whose condition holds fires; `otherwise` rules fire
///   when no `when` rule did;
/// - the actions of fired rules merge per result key (notify and escalate per
///   role, one respond, apology, offer, follow up and review, a task per
///   text): the earliest deadline wins (none counts as latest), apology
///   components and offered remedies are unions, `assign` goes to the first
///   firing rule in file order; a channel comes from the winning action, or
///   the first contributing action that names one;
/// - `waive KIND` removes every action of that kind, whichever rule gave it;
/// - every result keeps the rules that asked for it and those whose deadline
///   (or role, for assign) lost.
package final class Evaluator {
    package let program: Program

    /// One rule's action asking for one result.
    struct Contribution {
        var action: Int32      // index into `program.actions`
        /// Seconds after the record's `base` (Int64.max: no deadline), so
        /// that a remembered result holds for any clock; `contribution(_:)`
        /// and `winning(_:)` give it absolute.
        var due: Int64
        var next: Int32        // next contribution to the same key, -1 at the end
    }

    /// Where a rule's actions are among the slots, and what it waives.
    struct RuleSpan {
        var first: Int32
        var count: Int32
        var waives: UInt16
    }

    // What evaluation reads, copied from the program so that reading it
    // touches no reference counts.
    let code: ConditionCode
    let whenRules: [WhenRule]
    let spans: [RuleSpan]
    let slots: [ActionSlot]
    let calendar: BusinessCalendar?
    let clockField: Int
    /// The fields a record has slots for.
    let fieldCount: Int

    // Scratch. Every index stored or read below comes from the compiled
    // program, whose keys, actions and rules these are sized for.
    let keyCount: Int
    /// Whether any rule waives anything (else merging skips waivers).
    let anyWaives: Bool
    /// The leaf bits of the record being evaluated, and whether they fit
    /// one word.
    let bits: UnsafeMutablePointer<UInt64>
    let singleWord: Bool
    /// Whether each `when` rule matched.
    let matched: UnsafeMutablePointer<Bool>
    /// When the leaf bits fit one word and there are at most 64 `when`
    /// rules: each term with the position of its rule, so the set of rules
    /// that fire is found with no branch (`fire`); else nil.
    let quick: UnsafeMutablePointer<QuickTerm>?
    let quickCount: Int
    /// The rule index of each `when` rule, by position.
    let whenRuleIndexes: UnsafeMutablePointer<Int32>
    /// Each result key's merged state, valid when its `stamp` is the
    /// current `generation`.
    let keys: UnsafeMutablePointer<KeyState>
    /// At most one per action of the program.
    let contributions: UnsafeMutablePointer<Contribution>
    /// Where the last record's contributions are: `contributions` after a
    /// merge, a memo entry after a recall (read in place, not copied).
    @exclusivity(unchecked) var result: UnsafeMutablePointer<Contribution>
    /// Which remembered result the last record was given, or nil when it
    /// was merged: records given the same one require the same actions
    /// (deadlines apart), so a writer may keep how it wrote them.
    @exclusivity(unchecked) package internal(set) var recalled: Recalled?

    package struct Recalled: Equatable, Sendable {
        /// The memo entry, and which result it held (`MergeMemo.versions`).
        package var entry: Int
        package var version: UInt64
    }
    /// Which terms each byte of leaf bits allows (`TermTable`), so that the
    /// terms that hold are found with a look-up a byte; nil when the table
    /// would be too large.
    let termTable: TermTable?
    /// The terms that hold for the record, when `termTable`.
    let holding: UnsafeMutablePointer<UInt64>
    /// The rules that fired, at most one per rule.
    let fired: UnsafeMutablePointer<Int32>
    /// The keys with a result, ascending after `merge`.
    let active: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) var contributionCount = 0
    @exclusivity(unchecked) var firedCount = 0
    /// The `when` rules that fired, by position, when `quick`; and whether
    /// `fired` lists them yet (`settleFired`).
    @exclusivity(unchecked) var firedSet: UInt64 = 0
    @exclusivity(unchecked) var firedSettled = true
    /// Whether the keys of a recalled result are yet copied in (`settle`).
    @exclusivity(unchecked) var keysSettled = true
    @exclusivity(unchecked) var activeCount = 0
    @exclusivity(unchecked) var generation: UInt32 = 0
    /// Per action kind: rules that waived it, and the contributions dropped.
    var waivedBy: [[Int]] = Array(repeating: [], count: ActionKindName.allCases.count)
    var dropped: [[Int32]] = Array(repeating: [], count: ActionKindName.allCases.count)
    @exclusivity(unchecked) var waivedMask: UInt16 = 0
    /// The time deadlines of the last record counted from.
    @exclusivity(unchecked) package private(set) var base: Int64 = 0
    /// Whether the last merge gave a business-time deadline.
    @exclusivity(unchecked) var mergedBusinessTime = false
    /// Business-time deadlines of the record being merged, one for each
    /// distinct business duration of the program (`businessIndex` of an
    /// action slot, -1 for none), valid when stamped with the current
    /// `generation`: many rules may give the same duration, and each is
    /// worked out over the calendar once a record.
    let businessIndex: UnsafeMutablePointer<Int32>
    let businessDue: UnsafeMutablePointer<Int64>
    let businessStamp: UnsafeMutablePointer<UInt32>
    let businessCount: Int
    /// The merged results of the sets of fired rules seen: made once the
    /// evaluator has evaluated `MergeMemo.warmUp` records, so that one made
    /// for a few records never pays for it; never when the program has more
    /// than 64 `when` rules, or when not asked for (`remembers`).
    @exclusivity(unchecked) var memo: MergeMemo?
    let remembers: Bool
    @exclusivity(unchecked) var evaluations = 0

    /// An evaluator for `program`; `remembering` keeps the merged result
    /// of each set of fired rules seen, so that records alike are quicker
    /// (`MergeMemo`); the results are the same either way.
    package init(program: Program, remembering: Bool = true) {
        self.program = program
        code = program.code
        whenRules = program.whenRules.compactMap { r in
            program.rules[r].condition.map { WhenRule(rule: Int32(r), condition: $0) }
        }
        spans = program.rules.map {
            RuleSpan(first: Int32($0.firstAction), count: Int32($0.actions.count), waives: $0.waives)
        }
        slots = program.slots
        calendar = program.calendar
        clockField = program.schema.clockField ?? -1
        fieldCount = program.schema.fields.count
        keyCount = program.keys.count
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, count))
            p.initialize(repeating: value, count: max(1, count))
            return p
        }
        bits = buffer(program.code.wordCount, 0)
        singleWord = program.code.wordCount == 1
        matched = buffer(program.whenRules.count, false)
        keys = buffer(keyCount, KeyState(stamp: 0, head: -1, tail: -1, winner: -1, winnerDue: 0, remedies: 0, components: 0))
        anyWaives = program.rules.contains { $0.waives != 0 }
        active = buffer(keyCount, 0)
        contributions = buffer(program.actions.count, Contribution(action: 0, due: 0, next: -1))
        result = contributions
        fired = buffer(program.rules.count, 0)
        remembers = remembering && whenRules.count <= 64
        var durations: [Int64: Int32] = [:]
        businessIndex = buffer(program.slots.count, -1)
        for (a, slot) in program.slots.enumerated() where slot.timing == .businessHours || slot.timing == .businessDays {
            let key = slot.amount &* 2 &+ (slot.timing == .businessDays ? 1 : 0)
            if durations[key] == nil { durations[key] = Int32(durations.count) }
            businessIndex[a] = durations[key] ?? -1
        }
        businessCount = durations.count
        businessDue = buffer(businessCount, 0)
        businessStamp = buffer(businessCount, 0)
        whenRuleIndexes = buffer(whenRules.count, 0)
        for (k, r) in whenRules.enumerated() { whenRuleIndexes[k] = r.rule }
        if singleWord && whenRules.count <= 64 {
            var terms: [QuickTerm] = []
            var position: UInt64 = 0
            for w in program.code.terms {
                terms.append(QuickTerm(need: w.need, want: w.want, position: position))
                if w.endsRule { position += 1 }
            }
            let p = buffer(terms.count, QuickTerm(need: 0, want: 1, position: 0))
            for (i, t) in terms.enumerated() { p[i] = t }
            quick = p
            quickCount = terms.count
        } else {
            quick = nil
            quickCount = 0
        }
        termTable = program.termTable
        holding = buffer(program.termTable?.termWords ?? 1, 0)
    }

    deinit {
        bits.deallocate()
        matched.deallocate()
        quick?.deallocate()
        memo?.deallocate()
        holding.deallocate()
        businessIndex.deallocate()
        businessDue.deallocate()
        businessStamp.deallocate()
        whenRuleIndexes.deallocate()
        keys.deallocate()
        active.deallocate()
        contributions.deallocate()
        fired.deallocate()
    }

    /// Evaluates one record: fires rules and merges their actions.
    package func evaluate(_ record: RecordBuffer) {
        guard record.fieldCount >= fieldCount else {
            // A buffer made for fewer fields than the program declares (not
            // by its readers): the fields it has no slot for are missing.
            var padded = record
            padded.slots += Array(repeating: RecordBuffer.Slot(), count: fieldCount - record.fieldCount)
            return evaluate(padded)
        }
        code.evaluateLeaves(record, into: bits)
        if clockField >= 0 && record.isPresent(clockField) {
            base = Evaluator.seconds(record.scalar(clockField))
        } else {
            base = Evaluator.seconds(record.now)
        }
        let firing = fire()
        guard let memo = warmMemo(), base > -MergeMemo.clockLimit, base < MergeMemo.clockLimit else {
            merge()
            return
        }
        if recall(memo, firing) { return }
        merge()
        remember(memo, firing)
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

    /// Which rules fire for the leaf bits: returns the set of `when` rules
    /// that fired as bits, by position (the first 64: the memo is kept only
    /// for programs with no more). The fired rules in file order go into
    /// `fired`; when `quick`, only once asked for (`settleFired`), since a
    /// recalled result needs only the set.
    @discardableResult
    func fire() -> UInt64 {
        if quick != nil {
            let b = bits[0]
            var set: UInt64
            if let termTable, termTable.termWords == 1 {
                set = termTable.firing(b)
            } else {
                set = firingSet(b)
            }
            for g in code.general where code.run(g.condition, bits) { set |= 1 << UInt64(g.position & 63) }
            firedSet = set
            firedSettled = false
            return set
        }
        let fired = self.fired
        if let termTable, code.general.isEmpty {
            let (n, set) = termTable.fire(bits, holding: holding, whenRuleIndexes: whenRuleIndexes, into: fired)
            firedCount = otherwiseIfNone(n)
            firedSettled = true
            return set
        }
        var n = 0
        var set: UInt64 = 0
        let matched = self.matched
        code.matchAll(bits, singleWord, into: matched)
        // The fired rules in file order, with no branch on which fired.
        for k in 0..<whenRules.count {
            fired[n] = whenRuleIndexes[k]
            let hit = matched[k] ? 1 : 0
            n &+= hit
            set |= UInt64(hit) << UInt64(k & 63)
        }
        firedCount = otherwiseIfNone(n)
        firedSettled = true
        return set
    }

    /// Lists the rules of `firedSet` in `fired`, if not yet done.
    @inline(__always)
    func settleFired() {
        if firedSettled { return }
        var n = 0
        var rest = firedSet
        while rest != 0 {
            fired[n] = whenRuleIndexes[rest.trailingZeroBitCount]
            n += 1
            rest &= rest &- 1
        }
        firedCount = otherwiseIfNone(n)
        firedSettled = true
    }

    /// With `n` `when` rules listed in `fired`: when none fired, lists the
    /// `otherwise` rules instead; the number listed.
    func otherwiseIfNone(_ n: Int) -> Int {
        guard n == 0 else { return n }
        var m = 0
        for r in program.otherwiseRules {
            fired[m] = Int32(r)
            m += 1
        }
        return m
    }

    /// When `quick`: the set of `when` rules, by position, whose terms one
    /// word of leaf bits satisfies (not those kept in their shape). A rule
    /// fires when any of its terms holds: each term adds its rule's bit.
    func firingSet(_ b: UInt64) -> UInt64 {
        guard let quick else { return 0 }
        var set: UInt64 = 0
        for i in 0..<quickCount {
            let t = quick[i]
            set |= UInt64((b & t.need) == t.want ? 1 : 0) << t.position
        }
        return set
    }

    /// Whether rule `i` fired for the last record.
    package func didFire(_ rule: Int) -> Bool {
        firedBuffer.contains(Int32(truncatingIfNeeded: rule))
    }

    /// The rules that fired for the last record, in file order.
    package var firedRules: [Int] { firedBuffer.map(Int.init) }

    var firedBuffer: UnsafeBufferPointer<Int32> {
        settleFired()
        return UnsafeBufferPointer(start: fired, count: firedCount)
    }

    // MARK: - Merging

    /// A new generation of result keys: every key inactive at once.
    func nextGeneration() {
        generation &+= 1
        if generation == 0 {
            for k in 0..<keyCount { keys[k].stamp = 0 }
            for i in 0..<businessCount { businessStamp[i] = 0 }
            generation = 1
        }
    }

    func merge() {
        settleFired()
        nextGeneration()
        result = contributions
        recalled = nil
        keysSettled = true
        let gen = generation
        var business = false
        var mask: UInt16 = 0
        if anyWaives { mask = collectWaivers() }
        var count = 0
        var activeCount = 0
        let base = self.base
        spans.withUnsafeBufferPointer { spans in
            slots.withUnsafeBufferPointer { slots in
                for i in 0..<firedCount {
                    let span = spans[Int(fired[i])]
                    var a = Int(span.first)
                    let end = a + Int(span.count)
                    while a < end {
                        let s = slots[a]
                        let c = Int32(count)
                        let due = deadline(a, s, from: base)
                        business = business || s.timing == .businessHours || s.timing == .businessDays
                        contributions[count] = Contribution(action: Int32(a), due: MergeMemo.relative(due, base), next: -1)
                        count += 1
                        a += 1
                        if mask & s.kindBit != 0 {
                            dropped[s.kindBit.trailingZeroBitCount].append(c)
                            continue
                        }
                        let key = keys + Int(s.key)
                        if key.pointee.stamp != gen {
                            key.pointee = KeyState(stamp: gen, head: c, tail: c, winner: c, winnerDue: due,
                                                   remedies: s.remedies, components: s.components)
                            active[activeCount] = s.key
                            activeCount += 1
                            continue
                        }
                        contributions[Int(key.pointee.tail)].next = c
                        key.pointee.tail = c
                        key.pointee.components |= s.components
                        key.pointee.remedies |= s.remedies
                        if !s.isAssign && due < key.pointee.winnerDue {
                            key.pointee.winner = c
                            key.pointee.winnerDue = due
                        }
                    }
                }
            }
        }
        contributionCount = count
        self.activeCount = activeCount
        mergedBusinessTime = business
        // Results print in key order; a record has few (insertion sort).
        var i = 1
        while i < activeCount {
            let k = active[i]
            var j = i - 1
            while j >= 0 && active[j] > k {
                active[j + 1] = active[j]
                j -= 1
            }
            active[j + 1] = k
            i += 1
        }
    }

    /// Notes which fired rules waive which kinds; returns the kinds waived.
    func collectWaivers() -> UInt16 {
        if waivedMask != 0 { clearWaivers() }
        var mask: UInt16 = 0
        for i in 0..<firedCount where spans[Int(fired[i])].waives != 0 {
            let r = Int(fired[i])
            let w = spans[r].waives
            mask |= w
            for kind in ActionKindName.allCases where w & (1 << UInt16(kind.rank)) != 0 { waivedBy[kind.rank].append(r) }
        }
        waivedMask = mask
        return mask
    }

    /// Forgets the last record's waivers.
    func clearWaivers() {
        for k in waivedBy.indices {
            waivedBy[k].removeAll(keepingCapacity: true)
            dropped[k].removeAll(keepingCapacity: true)
        }
        waivedMask = 0
    }

    /// The absolute deadline of an action counted from `base`.
    @inline(__always)
    func deadline(_ a: Int, _ s: ActionSlot, from base: Int64) -> Int64 {
        switch s.timing {
        case .fixed: return base &+ s.amount
        case .none: return Int64.max
        case .businessHours, .businessDays:
            // INVARIANT: `businessIndex` has an entry, within `businessDue`,
            // for every business-time slot (init).
            let i = Int(businessIndex[a])
            if businessStamp[i] == generation { return businessDue[i] }
            let due = s.timing == .businessHours ? calendar?.addBusinessHours(s.amount, to: base)
                                                 : calendar?.addBusinessDays(s.amount, to: base)
            // A count that gives up (a calendar too seldom open) is due at
            // the latest time written, never "no deadline" (Grammar.md §8).
            businessDue[i] = due ?? ISOTime.latest
            businessStamp[i] = generation
            return businessDue[i]
        }
    }

    func businessDeadline(_ d: DurationSpec, from start: Int64) -> Int64 {
        guard let calendar else { return Int64.max }
        switch d.unit {
        case .businessHours: return calendar.addBusinessHours(d.amount, to: start) ?? ISOTime.latest
        case .businessDays: return calendar.addBusinessDays(d.amount, to: start) ?? ISOTime.latest
        default: return start &+ (d.seconds ?? 0)
        }
    }

    // MARK: - Reading the result

    /// Whether result key `k` has a result for the last record.
    @inline(__always)
    package func isActive(_ k: Int) -> Bool { k >= 0 && k < keyCount && keyStates[k].stamp == generation }

    /// How many merged actions the last record requires.
    package var actionCount: Int { activeCount }

    /// The keys with a result, ascending.
    var activeKeys: UnsafeBufferPointer<Int32> {
        settle()
        return UnsafeBufferPointer(start: active, count: activeCount)
    }

    /// The keys' states, for reading (a recalled result's copied in first).
    var keyStates: UnsafeMutablePointer<KeyState> {
        @inline(__always) get {
            settle()
            return keys
        }
    }

    /// The contribution that won key `k` (which must be active), its
    /// deadline absolute.
    @inline(__always)
    func winning(_ k: Int) -> Contribution { contribution(keyStates[k].winner) }

    /// Contribution `c` of the last record, its deadline absolute.
    @inline(__always)
    func contribution(_ c: Int32) -> Contribution {
        var contribution = result[Int(c)]
        contribution.due = MergeMemo.absolute(contribution.due, base)
        return contribution
    }

    /// The first contribution to key `k` (which must be active).
    @inline(__always)
    func first(_ k: Int) -> Int32 { keyStates[k].head }

    /// The contributions to key `k`, in file order.
    func contributionIndexes(_ k: Int) -> [Int32] {
        var out: [Int32] = []
        guard isActive(k) else { return out }
        var c = keyStates[k].head
        while c >= 0 {
            out.append(c)
            c = result[Int(c)].next
        }
        return out
    }

    /// The merged apology components of key `k`.
    func components(_ k: Int) -> UInt8 { isActive(k) ? keyStates[k].components : 0 }

    /// The remedies offered for key `k` as a bit set of the first 64.
    func remedyBits(_ k: Int) -> UInt64 { isActive(k) ? keyStates[k].remedies : 0 }

    /// The channel of a merged result (Grammar.md §7.3): of the first
    /// action in file order at the winning (earliest) deadline that names
    /// one; when none there does, of the first contributing action that
    /// names one.
    func channel(_ k: Int) -> Int? {
        let win = winning(k)
        let ch = slots[Int(win.action)].channel
        if ch >= 0 { return Int(ch) }
        var firstNamed: Int32 = -1
        var c = keyStates[k].head
        while c >= 0 {
            let contribution = self.contribution(c)
            let ch = slots[Int(contribution.action)].channel
            if ch >= 0 {
                if contribution.due == win.due { return Int(ch) }
                if firstNamed < 0 { firstNamed = ch }
            }
            c = contribution.next
        }
        return firstNamed >= 0 ? Int(firstNamed) : nil
    }

    /// One rule's part in a merged result (Grammar.md §7.4): the rule's
    /// contributions are consecutive, in file order, from `c`. `own` is
    /// the one that stands for the rule in `overridden`: its earliest
    /// deadline (for assign, a role other than the winner's); `lost` says
    /// whether the rule is overridden: its own deadline is later than the
    /// winner's (a rule that asked for no deadline is not), or it assigns
    /// another role and not the winner's. `next` is the next rule's first.
    func ruleRun(_ c: Int32, winner win: Contribution) -> (own: Int32, lost: Bool, next: Int32) {
        let winSlot = slots[Int(win.action)]
        let rule = slots[Int(result[Int(c)].action)].rule
        var own = c
        var ownDue = Int64.max
        var sameRole = false
        var otherRole = false
        var i = c
        while i >= 0 {
            let contribution = self.contribution(i)
            let slot = slots[Int(contribution.action)]
            guard slot.rule == rule else { break }
            if slot.isAssign {
                if slot.assignRole == winSlot.assignRole {
                    sameRole = true
                } else if !otherRole {
                    otherRole = true
                    own = i
                }
            } else if contribution.due < ownDue {
                own = i
                ownDue = contribution.due
            }
            i = contribution.next
        }
        let lost = winSlot.isAssign ? otherRole && !sameRole : ownDue != Int64.max && ownDue > win.due
        return (own, lost, i)
    }

    /// The remedies offered for key `k`, in declaration order.
    func remedies(_ k: Int) -> [Int] {
        guard isActive(k) else { return [] }
        var offered = Set<Int>()
        var beyond = false
        var c = keyStates[k].head
        while c >= 0 {
            let a = Int(result[Int(c)].action)
            if slots[a].remediesBeyondSet, case .offer(let list) = program.actions[a].action {
                offered.formUnion(list)
                beyond = true
            }
            c = result[Int(c)].next
        }
        let bits = keyStates[k].remedies
        return program.model.remedies.indices.filter { ($0 < 64 && bits & (1 << UInt64($0)) != 0) || (beyond && offered.contains($0)) }
    }
}

/// A WhenRule is a `when` rule's index and where its condition's code is.
/// A QuickTerm is one term of a program whose leaves fit a word: it holds
/// when the bits under `need` are `want`, and then rule `position` fires.
struct QuickTerm {
    var need: UInt64
    var want: UInt64
    var position: UInt64
}

struct WhenRule: Sendable {
    var rule: Int32
    var condition: CompiledCondition
}

/// A KeyState is the merged state of one result key for one record.
struct KeyState {
    var stamp: UInt32
    /// The first and last contribution, in file order, and the winner.
    var head: Int32
    var tail: Int32
    var winner: Int32
    /// The winner's absolute deadline, while merging (a remembered
    /// result's is not kept up to date: nothing reads it after the merge).
    var winnerDue: Int64
    var remedies: UInt64
    var components: UInt8
}
