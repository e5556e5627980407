/// An Evaluation is what evaluating one record gave: the rules that fired,
/// each merged result (Grammar.md §7: its key, the contributions behind it,
/// the one that won, components and remedies) and the waivers. It is the
/// one product of evaluation: the JSON and text writers (`ResultWriter`),
/// `Outcome` (the library's values, which `amends test`, `explain` and the
/// analyses read) and the REPL all read it, and nothing else of the
/// evaluator's.
///
/// Results are in key order (the printing order of §7), numbered from 0
/// (`count`); a result's contributions are numbered among the record's
/// (`Int32`, a list from `first`). Deadlines read through it are absolute
/// (seconds since the epoch; `Int64.max` for none).
///
/// It is a view into its evaluator's storage (or the memo's), so making
/// and passing one touches no reference count: it is valid while its
/// evaluator lives and until that evaluator's next `evaluate`. Keep the
/// evaluator in a variable while reading it (`Evaluator.outcome(of:under:)`
/// is the one-call way to get values).
package struct Evaluation {
    unowned(unsafe) let program: Program
    unowned(unsafe) let matcher: Matcher
    /// The time deadlines count from: the record's clock field, else its `now`.
    package let base: Int64
    /// How many results the record has.
    package let count: Int
    let results: UnsafeMutablePointer<MergedResult>
    let contributions: UnsafeMutablePointer<Contribution>
    let slots: UnsafeMutablePointer<ActionSlot>
    /// The `when` rules that fired, by position (the first 64), and how
    /// many fired rules the matcher listed (nil: read them from the set).
    let firedSet: UInt64
    let firedListed: Int?
    /// The kinds waived (bits by rank), who waived them and what they dropped.
    let waivedKinds: UInt16
    let waives: UnsafeMutablePointer<WaiveEntry>
    let waiveCount: Int
    let dropped: UnsafeMutablePointer<WaiveEntry>
    let droppedCount: Int
    /// Which remembered result the record was given, or nil when it was
    /// merged: records given the same one require the same actions
    /// (deadlines apart), so a writer may keep how it wrote them
    /// (`ActionTemplates`).
    package let recalled: Recalled?

    package struct Recalled: Equatable, Sendable {
        /// The memo entry, and which result it held (`MergeMemo.versions`).
        package var entry: Int
        package var version: UInt64
    }

    // MARK: - Results

    /// The result key of result `i` (an index into `Program.keys`).
    @inline(__always)
    func key(_ i: Int) -> Int { Int(results[i].key) }

    /// Result `i`'s index among the results, for result key `k`; nil when
    /// the record has no such result.
    func result(forKey k: Int) -> Int? {
        (0..<count).first { key($0) == k }
    }

    /// Contribution `c` of the record, its deadline absolute.
    @inline(__always)
    func contribution(_ c: Int32) -> Contribution {
        var contribution = contributions[Int(c)]
        if contribution.due != Int64.max { contribution.due = base &+ contribution.due }
        return contribution
    }

    /// The action slot of contribution `c`.
    @inline(__always)
    func slot(_ c: Int32) -> ActionSlot { slots[Int(contributions[Int(c)].action)] }

    /// The contribution that won result `i`: the earliest deadline, or for
    /// assign the first in file order; its deadline absolute.
    @inline(__always)
    func winning(_ i: Int) -> Contribution { contribution(results[i].winner) }

    /// The first contribution to result `i`; the rest follow by `next`.
    @inline(__always)
    func first(_ i: Int) -> Int32 { results[i].head }

    /// The contributions to result `i`, in file order.
    func contributionIndexes(_ i: Int) -> [Int32] {
        var out: [Int32] = []
        var c = results[i].head
        while c >= 0 {
            out.append(c)
            c = contributions[Int(c)].next
        }
        return out
    }

    /// The merged apology components of result `i`, as bits by rank.
    func components(_ i: Int) -> UInt8 { results[i].components }

    /// The remedies offered for result `i`, as a bit set of the first 64.
    func remedyBits(_ i: Int) -> UInt64 { results[i].remedies }

    /// The remedies offered for result `i`, in declaration order.
    func remedies(_ i: Int) -> [Int] {
        var offered = Set<Int>()
        var beyond = false
        var c = results[i].head
        while c >= 0 {
            let a = Int(contributions[Int(c)].action)
            if slots[a].remediesBeyondSet, case .offer(let list) = program.actions[a].action {
                offered.formUnion(list)
                beyond = true
            }
            c = contributions[Int(c)].next
        }
        let bits = results[i].remedies
        return program.model.remedies.indices.filter { ($0 < 64 && bits & (1 << UInt64($0)) != 0) || (beyond && offered.contains($0)) }
    }

    /// The channel of result `i` (Grammar.md §7.3): of the first action in
    /// file order at the winning (earliest) deadline that names one; when
    /// none there does, of the first contributing action that names one.
    func channel(_ i: Int) -> Int? {
        let win = winning(i)
        let ch = slots[Int(win.action)].channel
        if ch >= 0 { return Int(ch) }
        var firstNamed: Int32 = -1
        var c = results[i].head
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
        let rule = slot(c).rule
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

    // MARK: - Rules and waivers

    /// The rules that fired, in file order (`otherwise` rules when no
    /// `when` rule did).
    package var firedRules: [Int] { matcher.rules(set: firedSet, listed: firedListed) }

    /// Calls `body` with each rule that fired, in file order, allocating
    /// nothing.
    @inline(__always)
    func forEachFiredRule(_ body: (Int) -> Void) {
        if let listed = firedListed {
            for i in 0..<listed { body(Int(matcher.fired[i])) }
            return
        }
        guard firedSet != 0 else {
            for r in matcher.otherwiseRules { body(Int(r)) }
            return
        }
        var rest = firedSet
        while rest != 0 {
            body(Int(matcher.whenRuleIndexes[rest.trailingZeroBitCount]))
            rest &= rest &- 1
        }
    }

    /// Whether rule `i` fired.
    package func didFire(_ rule: Int) -> Bool { firedRules.contains(rule) }

    /// Whether any fired rule waived a kind.
    var anyWaived: Bool { waivedKinds != 0 }

    /// The fired rules that waive `kind`, in file order.
    func waivedBy(_ kind: ActionKindName) -> [Int] {
        guard waivedKinds & (1 << UInt16(kind.rank)) != 0 else { return [] }
        return (0..<waiveCount).compactMap { waives[$0].kind == UInt8(kind.rank) ? Int(waives[$0].item) : nil }
    }

    /// The contributions of `kind` a waive dropped, in file order.
    func dropped(_ kind: ActionKindName) -> [Int32] {
        guard waivedKinds & (1 << UInt16(kind.rank)) != 0 else { return [] }
        return (0..<droppedCount).compactMap { dropped[$0].kind == UInt8(kind.rank) ? dropped[$0].item : nil }
    }

    /// The rules whose contributions of `kind` a waive dropped, each once,
    /// in file order.
    func droppedRules(_ kind: ActionKindName) -> [Int] {
        var rules: [Int] = []
        for c in dropped(kind) {
            let r = Int(slot(c).rule)
            if !rules.contains(r) { rules.append(r) }
        }
        return rules
    }
}
