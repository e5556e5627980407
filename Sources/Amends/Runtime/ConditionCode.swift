/// ConditionCode is every condition of a program, compiled so that a record
/// is tested against all of them in two straight passes with (almost) no
/// branches that depend on the record:
///
/// 1. **Leaves.** Every distinct test of a field that any condition makes
///    (`severity >= high`, `category in [billing, delivery]`, `amount is
///    missing`) is evaluated once, in a fixed order, into one bit each.
///    A test that several rules share is evaluated once. The tests of a
///    scale, `one of` or yes/no field are decided by which level it holds,
///    so they are made in advance for every level: one table look-up gives
///    all of them (`ChoiceTable`). The other common tests are plain
///    compares, one loop for each operation; rarer ones (text, lists,
///    `age`, field against field) are closures.
/// 2. **Terms.** A rule's condition, with `not` pushed down to the leaves, is
///    an `or` of `and`s of leaf bits (disjunctive normal form). Each `and` is
///    a term: for the 64-bit words of leaf bits it touches, which bits it
///    needs and what they must be. A rule fires when some term's words all
///    match: one mask and one compare a word.
///
/// A condition whose normal form would be too large (many `or`s inside
/// `and`s) keeps its shape instead: instructions over the leaf bits, with
/// `and` and `or` as jumps that short-circuit (`general`).
///
///     when category = outage and (severity >= high or tier = enterprise)
///
///     leaves  0: category = 4    1: severity >= 2    2: tier = 2
///     terms   {0, 1}  {0, 2}
struct ConditionCode: Sendable {
    /// The leaves: those of choice fields first, by field (`tables`), then
    /// the rest by operation (`groups`).
    var leaves: [Leaf] = []
    var tables: [ChoiceTable] = []
    /// The tables whose leaves are in one word, in compact form (most
    /// are: a choice field has few tests), and the indexes of the others.
    var oneWordTables: [OneWordTable] = []
    var wideTables: [Int] = []
    /// The rows of every table, back to back.
    var tableMasks: [UInt64] = []
    var groups: [LeafGroup] = []
    /// The closures that `test` leaves call.
    var tests: [Program.Test] = []
    /// The terms of every `when` rule, in file order: runs of words, each
    /// term ending with `endsTerm` and each rule with `endsRule`. A rule
    /// kept in its shape has one word that never matches.
    var terms: [TermWord] = []
    /// Conditions kept in their shape, and called defines.
    var instructions: [Instruction] = []
    var defines: [CompiledCondition] = []
    var general: [GeneralRule] = []

    /// How many 64-bit words hold the leaf bits.
    var wordCount: Int { max(1, (leaves.count + 63) / 64) }

    /// Whether a compiled condition holds for `record` (allocates the
    /// bits: for one-off use; the evaluator keeps its own).
    func holds(_ condition: CompiledCondition, _ record: RecordBuffer) -> Bool {
        var bits = [UInt64](repeating: 0, count: wordCount)
        return bits.withUnsafeMutableBufferPointer { b in
            guard let words = b.baseAddress else { return false }
            evaluateLeaves(record, into: words)
            return matches(condition, words)
        }
    }

    // MARK: - Leaves

    /// Sets bit `i` of `bits` to leaf `i`'s value for `record`.
    ///
    /// Leaves of one operation are evaluated by one loop, so the operation
    /// is decided once a group, and each leaf costs a load, two compares and
    /// a shift: the slot's word says both whether the field is present and
    /// its value, and both are used whatever they are (a missing field's
    /// value is a NaN), so that the compare needs no branch.
    func evaluateLeaves(_ record: RecordBuffer, into bits: UnsafeMutablePointer<UInt64>) {
        if wordCount == 1 { bits[0] = 0 } else { bits.update(repeating: 0, count: wordCount) }
        record.slots.withUnsafeBufferPointer { slots in
            leaves.withUnsafeBufferPointer { leaves in
                tableMasks.withUnsafeBufferPointer { masks in
                    oneWordTables.withUnsafeBufferPointer { quick in
                        // The mask a table's row gives, or nil when the slot
                        // holds no level of the field (then `lookUp` tests
                        // it leaf by leaf).
                        @inline(__always) func mask(_ t: OneWordTable) -> UInt64? {
                            // INVARIANT: as for `lookUp`.
                            let slot = slots[Int(t.field)]
                            var row = Int(t.levels)
                            if slot.present {
                                guard let level = ConditionCode.level(slot.raw, below: row) else { return nil }
                                row = level
                            }
                            return masks[Int(t.rows) &+ row]
                        }
                        if wordCount == 1 {
                            // One word of leaves: the masks are gathered in a
                            // register, not stored into `bits` one by one.
                            var word: UInt64 = 0
                            for t in quick {
                                if let m = mask(t) { word |= m } else { lookUp(tables[Int(t.table)], masks, leaves, slots, bits) }
                            }
                            bits[0] |= word
                        } else {
                            for t in quick {
                                if let m = mask(t) {
                                    bits[Int(t.word)] |= m
                                } else {
                                    lookUp(tables[Int(t.table)], masks, leaves, slots, bits)
                                }
                            }
                        }
                    }
                    for t in wideTables { lookUp(tables[t], masks, leaves, slots, bits) }
                }
                var word: UInt64 = 0
                for g in groups {
                    switch g.op {
                    case .present: each(g, leaves, slots, &word, bits) { l, p, _ in p != l.flag }
                    case .yes: each(g, leaves, slots, &word, bits) { _, p, s in p && s != 0 }
                    case .equal: each(g, leaves, slots, &word, bits) { l, p, s in p && s == l.constant }
                    case .notEqual: each(g, leaves, slots, &word, bits) { l, p, s in p && s != l.constant }
                    case .less: each(g, leaves, slots, &word, bits) { l, p, s in p && s < l.constant }
                    case .lessEqual: each(g, leaves, slots, &word, bits) { l, p, s in p && s <= l.constant }
                    case .greater: each(g, leaves, slots, &word, bits) { l, p, s in p && s > l.constant }
                    case .greaterEqual: each(g, leaves, slots, &word, bits) { l, p, s in p && s >= l.constant }
                    case .inSet: each(g, leaves, slots, &word, bits) { l, p, s in ConditionCode.value(l, p, s) }
                    case .test: eachTest(g, leaves, record, &word, bits)
                    }
                }
                let n = leaves.count
                if n & 63 != 0 { bits[n >> 6] |= word }
            }
        }
    }

    /// Adds the bits a choice field's level gives its leaves. A level index
    /// that is not one of the field's (which readers never store) is
    /// tested leaf by leaf instead.
    @inline(__always)
    func lookUp(_ t: ChoiceTable, _ masks: UnsafeBufferPointer<UInt64>, _ leaves: UnsafeBufferPointer<Leaf>,
                _ slots: UnsafeBufferPointer<RecordBuffer.Slot>, _ bits: UnsafeMutablePointer<UInt64>) {
        // INVARIANT: tables are made of declared fields, with `levels + 1`
        // rows of `words` masks each, for words the program has.
        let slot = slots[t.field]
        var row = t.levels
        if slot.present {
            guard let level = ConditionCode.level(slot.raw, below: row) else {
                for i in t.leafStart..<t.leafEnd where ConditionCode.value(leaves[i], true, slot.raw) {
                    bits[i >> 6] |= 1 << UInt64(i & 63)
                }
                return
            }
            row = level
        }
        if t.words == 1 {
            bits[t.word] |= masks[t.rows &+ row]
            return
        }
        let from = t.rows &+ row &* t.words
        for w in 0..<t.words { bits[t.word &+ w] |= masks[from &+ w] }
    }

    /// The level a choice slot holds, when it is a whole number from 0 to
    /// `count - 1` (as readers store). For such a value, adding 2^52 moves
    /// it into the low bits of the mantissa, so a candidate is read with an
    /// add and a mask; it is the level when it is below `count` and is the
    /// value itself (which no negative, fraction, NaN or huge value gives).
    /// No call and no trap.
    @inline(__always)
    static func level(_ s: Double, below count: Int) -> Int? {
        let shifted = s + 4_503_599_627_370_496.0   // 2^52
        // A whole number from 0 to 2^52 - 1 lands in [2^52, 2^53), whose
        // bits are 0x433 above the mantissa and the number in it; anything
        // else is out of range once those bits are taken away, or rounded.
        let i = shifted.bitPattern &- 0x4330_0000_0000_0000
        guard i < UInt64(truncatingIfNeeded: max(0, count)), shifted - 4_503_599_627_370_496.0 == s else { return nil }
        return Int(truncatingIfNeeded: i)
    }

    /// A leaf's value for a slot's presence and value (not for `test`
    /// leaves): what the group loops and tables compute, written once.
    static func value(_ l: Leaf, _ p: Bool, _ s: Double) -> Bool {
        let c = l.constant
        switch l.op {
        case .present: return p != l.flag
        case .yes: return p && s != 0
        case .equal: return p && s == c
        case .notEqual: return p && s != c
        case .less: return p && s < c
        case .lessEqual: return p && s <= c
        case .greater: return p && s > c
        case .greaterEqual: return p && s >= c
        case .inSet:
            // Levels and `one of` values are small whole numbers.
            // INVARIANT: `inSet` leaves are made only for choice fields
            // (`ConditionCompiler.leaf(for:)`), whose slots hold a level's
            // whole index: never a number field's value, which the shift
            // would truncate (0.5 read as 0).
            let member = s >= 0 && s < 64 && l.operand & (1 << UInt64(s)) != 0
            return p && member != l.flag
        case .test: return false
        }
    }

    /// Evaluates the leaves of one group with `test`, adding their bits to
    /// `word` and storing each word of `bits` as it fills.
    @inline(__always)
    func each(_ g: LeafGroup, _ leaves: UnsafeBufferPointer<Leaf>, _ slots: UnsafeBufferPointer<RecordBuffer.Slot>,
              _ word: inout UInt64, _ bits: UnsafeMutablePointer<UInt64>, _ test: (Leaf, Bool, Double) -> Bool) {
        var i = Int(g.start)
        let end = Int(g.end)
        while i < end {
            // INVARIANT: the compiler makes leaves only of declared fields,
            // and a record has a slot for every declared field.
            let l = leaves[i]
            let slot = slots[Int(l.field)]
            let hit = test(l, slot.present, slot.raw)
            word |= UInt64(hit ? 1 : 0) << UInt64(i & 63)
            if i & 63 == 63 {
                bits[i >> 6] |= word
                word = 0
            }
            i += 1
        }
    }

    /// Evaluates a group of `test` leaves (whose `field` is a closure's index).
    func eachTest(_ g: LeafGroup, _ leaves: UnsafeBufferPointer<Leaf>, _ record: RecordBuffer,
                  _ word: inout UInt64, _ bits: UnsafeMutablePointer<UInt64>) {
        for i in Int(g.start)..<Int(g.end) {
            // INVARIANT: a test leaf's `field` indexes `tests`.
            if tests[Int(leaves[i].field)](record) { word |= 1 << UInt64(i & 63) }
            if i & 63 == 63 {
                bits[i >> 6] |= word
                word = 0
            }
        }
    }

    /// Which `when` rules match, given the leaf bits: `matched[r]` for the
    /// r-th `when` rule, from one pass over every rule's terms. Rules kept
    /// in their shape (`general`) are run after it.
    func matchAll(_ bits: UnsafeMutablePointer<UInt64>, _ singleWord: Bool, into matched: UnsafeMutablePointer<Bool>) {
        terms.withUnsafeBufferPointer { terms in
            if singleWord {
                // Every term is one word: one mask and compare each.
                let b = bits[0]
                var any: UInt8 = 0
                var r = 0
                for w in terms {
                    any |= (b & w.need) == w.want ? 1 : 0
                    if w.endsRule {
                        // INVARIANT: one `endsRule` word per `when` rule.
                        matched[r] = any != 0
                        any = 0
                        r += 1
                    }
                }
            } else {
                matchTerms(terms, bits, matched)
            }
        }
        for g in general { matched[Int(g.position)] = run(g.condition, bits) }
    }

    func matchTerms(_ terms: UnsafeBufferPointer<TermWord>, _ bits: UnsafeMutablePointer<UInt64>,
                    _ matched: UnsafeMutablePointer<Bool>) {
        var bad: UInt64 = 0
        var any = false
        var r = 0
        for w in terms {
            // INVARIANT: term words index the leaf bits the program has.
            bad |= (bits[Int(w.word)] & w.need) ^ w.want
            if w.endsTerm {
                any = any || bad == 0
                bad = 0
            }
            if w.endsRule {
                // INVARIANT: one `endsRule` word per `when` rule.
                matched[r] = any
                any = false
                r += 1
            }
        }
    }

    // MARK: - Matching

    /// Whether a condition holds, given the leaf bits of a record.
    @inline(__always)
    func matches(_ condition: CompiledCondition, _ bits: UnsafeMutablePointer<UInt64>) -> Bool {
        if condition.general { return run(condition, bits) }
        return terms.withUnsafeBufferPointer { terms in
            var fired = false
            var bad: UInt64 = 0
            var t = Int(condition.start)
            let end = Int(condition.end)
            while t < end {
                // INVARIANT: term words index the leaf bits the program has.
                let w = terms[t]
                bad |= (bits[Int(w.word)] & w.need) ^ w.want
                if w.endsTerm {
                    fired = fired || bad == 0
                    bad = 0
                }
                t += 1
            }
            return fired
        }
    }

    /// Runs a condition kept in its shape.
    @inline(never)
    func run(_ condition: CompiledCondition, _ bits: UnsafeMutablePointer<UInt64>) -> Bool {
        instructions.withUnsafeBufferPointer { code in
            var acc = false
            var pc = Int(condition.start)
            let end = Int(condition.end)
            while pc < end {
                // INVARIANT: the compiler emits jump targets within the
                // range, and leaf and define indexes the program has.
                let i = code[pc]
                let f = Int(i.field)
                switch i.op {
                case .constant: acc = i.flag
                case .leaf: acc = bits[f >> 6] & (1 << UInt64(f & 63)) != 0
                case .call: acc = run(defines[f], bits)
                case .not: acc = !acc
                case .jumpIfFalse:
                    if !acc {
                        pc = f
                        continue
                    }
                case .jumpIfTrue:
                    if acc {
                        pc = f
                        continue
                    }
                }
                pc += 1
            }
            return acc
        }
    }
}

/// A CompiledCondition is where one condition's code is: terms
/// `start..<end`, or, when `general`, instructions `start..<end`.
package struct CompiledCondition: Sendable, Equatable {
    package var start: Int32
    package var end: Int32
    package var general: Bool
}

/// A Leaf is one test of one field: 16 bytes, trivially copyable.
struct Leaf: Sendable, Hashable, CustomStringConvertible {
    enum Op: UInt8, Sendable {
        /// Whether `field` has a value (`flag`: whether it is missing).
        case present
        /// A yes/no field that is present and yes.
        case yes
        /// `field` is present and compares so with the constant.
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        /// `field` is present and its value is in the bit set `operand`
        /// (`flag`: is not in it).
        case inSet
        /// What closure `field` says.
        case test
    }

    var op: Op
    var flag = false
    var field: Int32 = 0
    /// A constant (as the bits of a `Double`) or a bit set.
    var operand: UInt64 = 0

    var constant: Double {
        @inline(__always) get { Double(bitPattern: operand) }
    }

    init(_ op: Op, flag: Bool = false, field: Int, operand: UInt64 = 0) {
        self.op = op
        self.flag = flag
        self.field = Int32(truncatingIfNeeded: field)
        self.operand = operand
    }

    init(_ op: Op, field: Int, constant: Double) {
        self.init(op, field: field, operand: constant.bitPattern)
    }

    /// `greaterEqual 1 2.0`: for dumps and tests.
    var description: String {
        switch op {
        case .present: return flag ? "missing \(field)" : "present \(field)"
        case .yes: return "yes \(field)"
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return "\(op) \(field) \(constant)"
        case .inSet: return (flag ? "notInSet" : "inSet") + " \(field) 0x" + String(operand, radix: 16)
        case .test: return "test \(field)"
        }
    }
}

/// One word of one term: the leaf bits of word `word` that the term needs
/// (`need`) and the values they must have (`want`); whether it ends its
/// term, and its rule.
struct TermWord: Sendable {
    var word: Int32
    var endsTerm: Bool
    var endsRule: Bool
    var need: UInt64
    var want: UInt64
}

/// A ChoiceTable gives the bits of every leaf on one choice field (a
/// scale, a `one of`, a yes/no): leaves `leafStart..<leafEnd`, in words
/// `word..<word + words`. Row `v` of its masks (at `tableMasks[rows + v *
/// words]`) is what they are when the field holds level `v`; row `levels`,
/// when it is missing.
struct ChoiceTable: Sendable {
    var field: Int
    var levels: Int
    var leafStart: Int
    var leafEnd: Int
    var word: Int
    var words: Int
    var rows: Int
}

/// A OneWordTable is a ChoiceTable (`table`) whose leaves are all in word
/// `word`: 20 bytes, what the look-up of a level reads.
struct OneWordTable: Sendable {
    var field: Int32
    var levels: Int32
    var rows: Int32
    var word: Int32
    var table: Int32
}

/// A LeafGroup is a run of leaves of one operation.
struct LeafGroup: Sendable {
    var op: Leaf.Op
    var start: Int32
    var end: Int32
}

/// A GeneralRule is a `when` rule kept in its shape: its position among
/// the `when` rules and its code.
struct GeneralRule: Sendable {
    var position: Int32
    var condition: CompiledCondition
}

/// One instruction of a condition kept in its shape.
struct Instruction: Sendable, CustomStringConvertible {
    enum Op: UInt8, Sendable {
        /// The register is `flag`.
        case constant
        /// The register is leaf `field`'s bit.
        case leaf
        /// The register is what define `field`'s code says.
        case call
        case not
        /// Go to instruction `field` when the register is false (true).
        case jumpIfFalse, jumpIfTrue
    }

    var op: Op
    var flag = false
    var field: Int32 = 0

    init(_ op: Op, flag: Bool = false, field: Int = 0) {
        self.op = op
        self.flag = flag
        self.field = Int32(truncatingIfNeeded: field)
    }

    var isJump: Bool { op == .jumpIfFalse || op == .jumpIfTrue }

    var description: String {
        switch op {
        case .constant: return "constant \(flag)"
        case .not: return "not"
        default: return "\(op) \(field)"
        }
    }
}
