/// A Merger turns the rules that fired for a record into what the record
/// requires (Grammar.md §7-8):
///
/// - each fired rule's actions, in file order, go to their result key
///   (notify and escalate per role, one respond, apology, offer, follow up
///   and review, a task per text, one assign);
/// - a key's deadline is the earliest of its actions' (none counts as
///   latest); its apology components and offered remedies are unions;
///   `assign` goes to the first firing rule in file order;
/// - `waive KIND`, in any fired rule, drops every action of that kind,
///   whichever rule gave it (the contributions dropped are kept, for
///   provenance);
/// - deadlines are counted from the record's clock, in calendar time or
///   over the calendar's opening hours (each business duration worked out
///   once a record, however many rules give it).
///
/// Deadlines are kept relative to the clock throughout (`Contribution.due`),
/// so that a merged result holds for any clock when it has no business
/// time, and the `MergeMemo` can keep it. What it makes is read through an
/// `Evaluation`; it owns scratch space sized for its program, and what it
/// made is valid until the next `merge`.
final class Merger {
    /// Where a rule's actions are among the slots, and what it waives.
    struct RuleSpan {
        var first: Int32
        var count: Int32
        var waives: UInt16
    }

    /// One key's state while merging, valid when its `stamp` is the
    /// current `generation`.
    struct KeyState {
        var stamp: UInt32
        /// The first and last contribution, in file order, and the winner.
        var head: Int32
        var tail: Int32
        var winner: Int32
        var winnerDue: Int64
        var remedies: UInt64
        var components: UInt8
    }

    let spans: UnsafeMutablePointer<RuleSpan>
    let slots: UnsafeMutablePointer<ActionSlot>
    let calendar: BusinessCalendar?
    /// Every calendar, for actions of rules that count in a named one.
    let calendars: [BusinessCalendar?]
    let keyCount: Int
    let anyWaives: Bool
    let keys: UnsafeMutablePointer<KeyState>
    var generation: UInt32 = 0
    /// The keys with a result, in the order met.
    let active: UnsafeMutablePointer<Int32>

    // What the last merge made (read through `Evaluation`).
    let contributions: UnsafeMutablePointer<Contribution>
    let results: UnsafeMutablePointer<MergedResult>
    /// Each kind waived by a fired rule, and each contribution dropped.
    let waives: UnsafeMutablePointer<WaiveEntry>
    let dropped: UnsafeMutablePointer<WaiveEntry>
    var contributionCount = 0
    var resultCount = 0
    var waiveCount = 0
    var droppedCount = 0
    var waivedKinds: UInt16 = 0
    /// Whether the last merge counted a deadline in business time.
    var businessTime = false

    /// Business-time deadlines (relative to the clock) of the record being
    /// merged, one for each distinct business duration of the program
    /// (`businessIndex` of an action slot, -1 for none), valid when stamped
    /// with the current `generation`.
    let businessIndex: UnsafeMutablePointer<Int32>
    let businessDue: UnsafeMutablePointer<Int64>
    let businessStamp: UnsafeMutablePointer<UInt32>
    let businessCount: Int

    init(program: Program) {
        let rules = program.rules
        spans = .buffer(rules.count, RuleSpan(first: 0, count: 0, waives: 0))
        for (i, r) in rules.enumerated() {
            spans[i] = RuleSpan(first: Int32(truncatingIfNeeded: r.firstAction),
                                count: Int32(truncatingIfNeeded: r.actions.count), waives: r.waives)
        }
        let actionCount = program.slots.count
        slots = .allocate(capacity: max(1, actionCount))
        if actionCount > 0 { slots.initialize(from: program.slots, count: actionCount) }
        calendar = program.calendar
        calendars = program.calendars
        keyCount = program.keys.count
        anyWaives = rules.contains { $0.waives != 0 }
        keys = .buffer(keyCount, KeyState(stamp: 0, head: -1, tail: -1, winner: -1, winnerDue: 0, remedies: 0, components: 0))
        active = .buffer(keyCount, 0)
        contributions = .buffer(actionCount, Contribution(action: 0, due: 0, next: -1))
        results = .buffer(keyCount, MergedResult(key: 0, head: -1, winner: -1, components: 0, remedies: 0))
        waives = .buffer(rules.count * ActionKindName.allCases.count, WaiveEntry(kind: 0, item: 0))
        dropped = .buffer(actionCount, WaiveEntry(kind: 0, item: 0))
        var durations: [Int64: Int32] = [:]
        businessIndex = .buffer(actionCount, -1)
        for (a, slot) in program.slots.enumerated() where slot.timing == .businessHours || slot.timing == .businessDays {
            let key = (slot.amount &* 2 &+ (slot.timing == .businessDays ? 1 : 0)) &* 65_536 &+ Int64(slot.calendar &+ 1)
            if durations[key] == nil { durations[key] = Int32(durations.count) }
            businessIndex[a] = durations[key] ?? -1
        }
        businessCount = durations.count
        businessDue = .buffer(businessCount, 0)
        businessStamp = .buffer(businessCount, 0)
    }

    deinit {
        spans.deallocate()
        slots.deallocate()
        keys.deallocate()
        active.deallocate()
        contributions.deallocate()
        results.deallocate()
        waives.deallocate()
        dropped.deallocate()
        businessIndex.deallocate()
        businessDue.deallocate()
        businessStamp.deallocate()
    }

    /// Merges the actions of the `count` rules listed at `fired` (file
    /// order), their deadlines counted from `base`.
    func merge(_ fired: UnsafeMutablePointer<Int32>, count firedCount: Int, base: Int64) {
        nextGeneration()
        let gen = generation
        var business = false
        var mask: UInt16 = 0
        if anyWaives { mask = collectWaivers(fired, firedCount) } else { waivedKinds = 0 }
        droppedCount = 0
        var count = 0
        var activeCount = 0
        for i in 0..<firedCount {
            let span = spans[Int(fired[i])]
            var a = Int(span.first)
            let end = a + Int(span.count)
            while a < end {
                let s = slots[a]
                let c = Int32(truncatingIfNeeded: count)
                let due = deadline(a, s, from: base)
                business = business || s.timing == .businessHours || s.timing == .businessDays
                contributions[count] = Contribution(action: Int32(truncatingIfNeeded: a), due: due, next: -1)
                count += 1
                a += 1
                if mask & s.kindBit != 0 {
                    dropped[droppedCount] = WaiveEntry(kind: UInt8(truncatingIfNeeded: s.kindBit.trailingZeroBitCount), item: c)
                    droppedCount += 1
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
        contributionCount = count
        businessTime = business
        // Results are read in key order; a record has few (insertion sort).
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
        for i in 0..<activeCount {
            let k = active[i]
            let state = keys[Int(k)]
            results[i] = MergedResult(key: k, head: state.head, winner: state.winner,
                                      components: state.components, remedies: state.remedies)
        }
        resultCount = activeCount
    }

    /// A new generation of result keys: every key inactive at once.
    func nextGeneration() {
        generation &+= 1
        if generation == 0 {
            for k in 0..<keyCount { keys[k].stamp = 0 }
            for i in 0..<businessCount { businessStamp[i] = 0 }
            generation = 1
        }
    }

    /// Notes which fired rules waive which kinds; returns the kinds waived.
    func collectWaivers(_ fired: UnsafeMutablePointer<Int32>, _ firedCount: Int) -> UInt16 {
        var mask: UInt16 = 0
        waiveCount = 0
        for i in 0..<firedCount where spans[Int(fired[i])].waives != 0 {
            let w = spans[Int(fired[i])].waives
            mask |= w
            for kind in 0..<ActionKindName.allCases.count where w & (1 << UInt16(kind)) != 0 {
                waives[waiveCount] = WaiveEntry(kind: UInt8(kind), item: fired[i])
                waiveCount += 1
            }
        }
        waivedKinds = mask
        return mask
    }

    /// The deadline of action `a` (slot `s`), relative to the clock `base`
    /// (Int64.max: none).
    @inline(__always)
    func deadline(_ a: Int, _ s: ActionSlot, from base: Int64) -> Int64 {
        switch s.timing {
        case .fixed: return s.amount
        case .none: return Int64.max
        case .businessHours, .businessDays:
            // INVARIANT: `businessIndex` has an entry, within `businessDue`,
            // for every business-time slot (init).
            let i = Int(businessIndex[a])
            if businessStamp[i] == generation { return businessDue[i] }
            let c = Int(s.calendar)
            let inForce = c >= 0 && c < calendars.count ? calendars[c] : nil
            let due = s.timing == .businessHours ? inForce?.addBusinessHours(s.amount, to: base)
                                                 : inForce?.addBusinessDays(s.amount, to: base)
            // A count that gives up (a calendar too seldom open) is due at
            // the latest time written, never "no deadline" (Grammar.md §8).
            businessDue[i] = (due ?? ISOTime.latest) &- base
            businessStamp[i] = generation
            return businessDue[i]
        }
    }
}

/// A Contribution is one fired rule's action asking for one result.
struct Contribution {
    /// The action: an index into `Program.actions` and `Program.slots`.
    var action: Int32
    /// Seconds after the record's clock (Int64.max: no deadline); read
    /// through `Evaluation`, absolute.
    var due: Int64
    /// The next contribution to the same result, -1 at the end.
    var next: Int32
}

/// A MergedResult is one result key's merged result: its contributions
/// (a list from `head`, in file order), the one whose deadline (or role,
/// for assign) won, and the unions of apology components and remedies.
struct MergedResult {
    var key: Int32
    var head: Int32
    var winner: Int32
    var components: UInt8
    var remedies: UInt64
}

/// A kind (its rank) waived by a rule, or a contribution of that kind
/// dropped by a waive.
struct WaiveEntry {
    var kind: UInt8
    /// A rule index (waived by) or a contribution (dropped).
    var item: Int32
}
