/// A Matcher finds the rules that fire for a record (Grammar.md §7): every
/// `when` rule whose condition holds, or, when none does, every `otherwise`
/// rule. It knows nothing of actions; the `Merger` takes it from there.
///
/// It evaluates the record's leaf tests into bits (`ConditionCode`), then
/// finds the rules whose terms those bits satisfy, by one of three
/// strategies chosen once, when it is made, from the compiled conditions:
///
/// - `oneWord`: the leaf bits fit one word and there are at most 64 `when`
///   rules. The fired rules come out as a set of bits, by rule position,
///   with no branch on which fired: a byte-table look-up (`TermTable`)
///   when there is a table, else a mask test per term. The set is all a
///   remembered result needs (`MergeMemo`); the rules are listed in file
///   order only when merging (`list`).
/// - `table`: more leaves or rules, every condition a sum of terms: the
///   terms that hold are found by byte look-ups over several words and
///   listed straight away.
/// - `scan`: any rule's condition kept in its own shape (`general`): each
///   rule is tested in turn.
///
/// It owns scratch space sized for its program; one per evaluator.
final class Matcher {
    enum Strategy {
        case oneWord, table, scan
    }

    let code: ConditionCode
    let strategy: Strategy
    /// How many `when` rules there are, and the rule index of each, by position.
    let whenCount: Int
    let whenRuleIndexes: UnsafeMutablePointer<Int32>
    /// The `otherwise` rules, in file order.
    let otherwiseRules: [Int32]
    /// The leaf bits of the record being matched.
    let bits: UnsafeMutablePointer<UInt64>
    let singleWord: Bool
    /// For `oneWord` without a table: each term with its rule's position.
    let quick: UnsafeMutablePointer<QuickTerm>
    let quickCount: Int
    /// Which terms each byte of leaf bits allows; nil when too large.
    let termTable: TermTable?
    /// The terms that hold, for `table`.
    let holding: UnsafeMutablePointer<UInt64>
    /// For `scan`: whether each `when` rule matched.
    let matched: UnsafeMutablePointer<Bool>
    /// The fired rules, in file order, once listed (at most one per rule).
    let fired: UnsafeMutablePointer<Int32>

    init(program: Program) {
        code = program.code
        whenCount = program.whenRules.count
        otherwiseRules = program.otherwiseRules.map { Int32(truncatingIfNeeded: $0) }
        singleWord = program.code.wordCount == 1
        termTable = program.termTable
        if singleWord && whenCount <= 64 {
            strategy = .oneWord
        } else if termTable != nil && program.code.general.isEmpty {
            strategy = .table
        } else {
            strategy = .scan
        }
        whenRuleIndexes = .buffer(whenCount, 0)
        for (k, r) in program.whenRules.enumerated() { whenRuleIndexes[k] = Int32(truncatingIfNeeded: r) }
        bits = .buffer(program.code.wordCount, 0)
        matched = .buffer(whenCount, false)
        fired = .buffer(program.rules.count, 0)
        holding = .buffer(program.termTable?.termWords ?? 1, 0)
        var terms: [QuickTerm] = []
        if strategy == .oneWord {
            var position: UInt64 = 0
            for w in program.code.terms {
                terms.append(QuickTerm(need: w.need, want: w.want, position: position))
                if w.endsRule { position += 1 }
            }
        }
        quick = .buffer(terms.count, QuickTerm(need: 0, want: 1, position: 0))
        for (i, t) in terms.enumerated() { quick[i] = t }
        quickCount = terms.count
    }

    deinit {
        whenRuleIndexes.deallocate()
        bits.deallocate()
        matched.deallocate()
        fired.deallocate()
        holding.deallocate()
        quick.deallocate()
    }

    /// Matches `record`: the `when` rules that fired as a set by position
    /// (exact for the first 64, which is all a `oneWord` program has), and,
    /// unless `oneWord`, the fired rules listed in `fired` (their number
    /// returned as `listed`; nil when not listed yet).
    @inline(__always)
    func match(_ record: RecordBuffer) -> (set: UInt64, listed: Int?) {
        code.evaluateLeaves(record, into: bits)
        switch strategy {
        case .oneWord:
            let b = bits[0]
            var set: UInt64
            if let termTable, termTable.termWords == 1 {
                set = termTable.firing(b)
            } else {
                set = firingSet(b)
            }
            for g in code.general where code.run(g.condition, bits) { set |= 1 << UInt64(g.position & 63) }
            return (set, nil)
        case .table:
            // INVARIANT: `table` is chosen only with a term table.
            guard let termTable else { return scan() }
            let (n, set) = termTable.fire(bits, holding: holding, whenRuleIndexes: whenRuleIndexes, into: fired)
            return (set, otherwiseIfNone(n))
        case .scan:
            return scan()
        }
    }

    func scan() -> (set: UInt64, listed: Int?) {
        var n = 0
        var set: UInt64 = 0
        code.matchAll(bits, singleWord, into: matched)
        // The fired rules in file order, with no branch on which fired.
        for k in 0..<whenCount {
            fired[n] = whenRuleIndexes[k]
            let hit = matched[k] ? 1 : 0
            n &+= hit
            set |= UInt64(hit) << UInt64(k & 63)
        }
        return (set, otherwiseIfNone(n))
    }

    /// Lists the rules of `set` (a `oneWord` match) in `fired`, in file
    /// order; their number.
    func list(_ set: UInt64) -> Int {
        var n = 0
        var rest = set
        while rest != 0 {
            fired[n] = whenRuleIndexes[rest.trailingZeroBitCount]
            n += 1
            rest &= rest &- 1
        }
        return otherwiseIfNone(n)
    }

    /// With `n` `when` rules listed in `fired`: when none fired, lists the
    /// `otherwise` rules instead; the number listed.
    func otherwiseIfNone(_ n: Int) -> Int {
        guard n == 0 else { return n }
        for (m, r) in otherwiseRules.enumerated() { fired[m] = r }
        return otherwiseRules.count
    }

    /// The set of `when` rules, by position, whose terms one word of leaf
    /// bits satisfies (not those kept in their shape). A rule fires when
    /// any of its terms holds: each term adds its rule's bit.
    func firingSet(_ b: UInt64) -> UInt64 {
        var set: UInt64 = 0
        for i in 0..<quickCount {
            let t = quick[i]
            set |= UInt64((b & t.need) == t.want ? 1 : 0) << t.position
        }
        return set
    }

    /// The fired rules of a match, in file order: `fired` when listed,
    /// else those of the set (`oneWord`).
    func rules(set: UInt64, listed: Int?) -> [Int] {
        if let listed { return (0..<listed).map { Int(fired[$0]) } }
        var out: [Int] = []
        var rest = set
        while rest != 0 {
            out.append(Int(whenRuleIndexes[rest.trailingZeroBitCount]))
            rest &= rest &- 1
        }
        return out.isEmpty ? otherwiseRules.map(Int.init) : out
    }
}

/// A QuickTerm is one term of a program whose leaves fit a word: it holds
/// when the bits under `need` are `want`, and then rule `position` fires.
struct QuickTerm {
    var need: UInt64
    var want: UInt64
    var position: UInt64
}

extension UnsafeMutablePointer {
    /// Storage for `count` values (at least one), each `value`; the caller
    /// deallocates it.
    static func buffer(_ count: Int, _ value: Pointee) -> UnsafeMutablePointer<Pointee> {
        let p = UnsafeMutablePointer<Pointee>.allocate(capacity: max(1, count))
        p.initialize(repeating: value, count: max(1, count))
        return p
    }
}
