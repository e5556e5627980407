/// An Evaluator runs a `Program` on records, one at a time, and holds the
/// merged result of the last one. It owns scratch space that is reused, so
/// evaluating allocates nothing once warm; use one Evaluator per thread.
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
public final class Evaluator {
    public let program: Program

    /// One rule's action asking for one result.
    @usableFromInline
    struct Contribution {
        var action: Int32      // index into `flat`
        var due: Int64         // Int64.max: no deadline
        var next: Int32        // next contribution to the same key, -1 at the end
    }

    /// Every compiled action, flattened; `flat[i]` for contribution lookups.
    let flat: [CompiledAction]
    let ruleFirstAction: [Int]

    // Scratch, reused per record.
    var fired: [Int] = []
    var contributions: [Contribution] = []
    var stamp: [UInt32]
    var head: [Int32]
    var tail: [Int32]
    var winner: [Int32]
    var components: [UInt8]
    var generation: UInt32 = 0
    /// Per action kind: rules that waived it, and the contributions dropped.
    var waivedBy: [[Int]] = Array(repeating: [], count: ActionKindName.allCases.count)
    var dropped: [[Int32]] = Array(repeating: [], count: ActionKindName.allCases.count)
    var waivedMask: UInt16 = 0
    /// The time deadlines of the last record counted from.
    public private(set) var base: Int64 = 0

    public init(program: Program) {
        self.program = program
        var flat: [CompiledAction] = []
        var firsts: [Int] = []
        for rule in program.rules {
            firsts.append(flat.count)
            flat += rule.actions
        }
        self.flat = flat
        self.ruleFirstAction = firsts
        let n = program.keys.count
        stamp = Array(repeating: 0, count: n)
        head = Array(repeating: -1, count: n)
        tail = Array(repeating: -1, count: n)
        winner = Array(repeating: -1, count: n)
        components = Array(repeating: 0, count: n)
        fired.reserveCapacity(program.rules.count)
        contributions.reserveCapacity(64)
    }

    /// Evaluates one record: fires rules and merges their actions.
    public func evaluate(_ record: RecordBuffer) {
        fired.removeAll(keepingCapacity: true)
        for i in program.whenRules {
            if let test = program.rules[i].test, test(record) { fired.append(i) }
        }
        if fired.isEmpty { fired = program.otherwiseRules }
        let clock = program.schema.clockField
        if let clock, record.present[clock] {
            base = Int64(record.scalars[clock])
        } else {
            base = Int64(record.now)
        }
        merge()
    }

    /// Whether rule `i` fired for the last record.
    public func didFire(_ rule: Int) -> Bool { fired.contains(rule) }
    public var firedRules: [Int] { fired }

    // MARK: - Merging

    func merge() {
        generation &+= 1
        if generation == 0 {
            for i in stamp.indices { stamp[i] = 0 }
            generation = 1
        }
        contributions.removeAll(keepingCapacity: true)
        waivedMask = 0
        for k in waivedBy.indices where !waivedBy[k].isEmpty || !dropped[k].isEmpty {
            waivedBy[k].removeAll(keepingCapacity: true)
            dropped[k].removeAll(keepingCapacity: true)
        }
        for r in fired {
            let w = program.rules[r].waives
            if w != 0 {
                waivedMask |= w
                for kind in ActionKindName.allCases where w & (1 << UInt16(kind.rank)) != 0 { waivedBy[kind.rank].append(r) }
            }
        }
        for r in fired {
            let first = ruleFirstAction[r]
            let count = program.rules[r].actions.count
            for a in first..<(first + count) {
                let action = flat[a]
                let c = Int32(contributions.count)
                let due = deadline(action)
                contributions.append(Contribution(action: Int32(a), due: due, next: -1))
                if waivedMask & (1 << UInt16(action.kind.rank)) != 0 {
                    dropped[action.kind.rank].append(c)
                    continue
                }
                let k = action.key
                if stamp[k] != generation {
                    stamp[k] = generation
                    head[k] = c
                    tail[k] = c
                    winner[k] = c
                    components[k] = action.components
                    continue
                }
                contributions[Int(tail[k])].next = c
                tail[k] = c
                components[k] |= action.components
                if action.kind != .assign && due < contributions[Int(winner[k])].due { winner[k] = c }
            }
        }
    }

    /// The absolute deadline of an action for the current record.
    @inline(__always)
    func deadline(_ action: CompiledAction) -> Int64 {
        if let s = action.seconds { return base &+ s }
        guard let d = action.duration else { return Int64.max }
        return businessDeadline(d, from: base)
    }

    func businessDeadline(_ d: DurationSpec, from start: Int64) -> Int64 {
        guard let calendar = program.calendar else { return Int64.max }
        switch d.unit {
        case .businessHours: return calendar.addBusinessHours(d.amount, to: start) ?? Int64.max
        case .businessDays: return calendar.addBusinessDays(d.amount, to: start) ?? Int64.max
        default: return start &+ (d.seconds ?? 0)
        }
    }

    // MARK: - Reading the result

    /// Whether result key `k` has a result for the last record.
    @inline(__always)
    public func isActive(_ k: Int) -> Bool { stamp[k] == generation }

    /// The contributions to key `k`, in file order.
    func contributionIndexes(_ k: Int) -> [Int32] {
        var out: [Int32] = []
        var c = head[k]
        while c >= 0 {
            out.append(c)
            c = contributions[Int(c)].next
        }
        return out
    }

    /// The channel of a merged result: the winner's, else the first given.
    func channel(_ k: Int) -> Int? {
        if let ch = flat[Int(contributions[Int(winner[k])].action)].channel { return ch }
        var c = head[k]
        while c >= 0 {
            if let ch = flat[Int(contributions[Int(c)].action)].channel { return ch }
            c = contributions[Int(c)].next
        }
        return nil
    }
}
