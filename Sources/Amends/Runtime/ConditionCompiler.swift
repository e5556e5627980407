/// Compiles checked conditions into `ConditionCode`: each leaf test once,
/// each rule's condition as terms over the leaf bits, or, when its normal
/// form would be too large, as instructions.
///
/// Each leaf is specialised for its operand kinds and operator, so the common
/// case (a field against a constant) is one compare. Other leaves become
/// closures over a `RecordBuffer`. A comparison with a missing value is
/// false, whatever the operator; `not` of it is therefore true, which is
/// what pushing `not` down to a leaf keeps.
struct ConditionCompiler {
    typealias Test = Program.Test

    let model: PolicyModel
    /// The policy's calendars, parallel to `model.calendars` (nil: not made).
    let calendars: [BusinessCalendar?]
    var code = ConditionCode()
    /// Leaves already made, so that a shared test is evaluated once.
    var leafIndex: [Leaf: Int] = [:]
    /// Each called define's code (the `general` path), compiled once.
    var defineCalls: [Int: Int] = [:]
    /// A normal form of more terms than this is not made.
    static let termLimit = 32
    /// Defines at most this long are copied where they are used.
    static let inlineLimit = 32

    init(model: PolicyModel, calendars: [BusinessCalendar?] = []) {
        self.model = model
        self.calendars = calendars
    }

    /// One leaf in a term: leaf `leaf` must be `positive`.
    struct Literal: Hashable {
        var leaf: Int
        var positive: Bool
    }

    /// Compiles the conditions of a program's rules, in file order (nil for
    /// `otherwise`): the code, and where each rule's condition is in it.
    static func compile(model: PolicyModel, calendars: [BusinessCalendar?] = [],
                        _ conditions: [Condition?]) -> (ConditionCode, [CompiledCondition?]) {
        var compiler = ConditionCompiler(model: model, calendars: calendars)
        // Normal forms first (collecting leaves), the rest in their shape.
        var forms: [[[Literal]]?] = []
        var shaped: [Int: CompiledCondition] = [:]
        for (r, c) in conditions.enumerated() {
            guard let c else {
                forms.append(nil)
                continue
            }
            let form = compiler.normalForm(c, positive: true)
            forms.append(form)
            if form == nil {
                var body: [Instruction] = []
                compiler.emit(c, into: &body)
                shaped[r] = compiler.append(body)
            }
        }
        let remap = compiler.sortLeaves()
        for k in compiler.code.instructions.indices where compiler.code.instructions[k].op == .leaf {
            compiler.code.instructions[k].field = Int32(remap[Int(compiler.code.instructions[k].field)])
        }
        // Then the terms of every `when` rule, in file order.
        var out: [CompiledCondition?] = []
        var position: Int32 = 0
        for (r, c) in conditions.enumerated() {
            guard c != nil else {
                out.append(nil)
                continue
            }
            let start = compiler.code.terms.count
            if let form = forms[r] {
                for term in form { compiler.appendTerm(term.map { Literal(leaf: remap[$0.leaf], positive: $0.positive) }) }
                if form.isEmpty {
                    // Never holds: one word that cannot match.
                    compiler.code.terms.append(TermWord(word: 0, endsTerm: true, endsRule: false, need: 0, want: 1))
                }
                compiler.code.terms[compiler.code.terms.count - 1].endsRule = true
                out.append(CompiledCondition(start: Int32(start), end: Int32(compiler.code.terms.count), general: false))
            } else if let condition = shaped[r] {
                compiler.code.terms.append(TermWord(word: 0, endsTerm: true, endsRule: true, need: 0, want: 1))
                compiler.code.general.append(GeneralRule(position: position, condition: condition))
                out.append(condition)
            }
            position += 1
        }
        return (compiler.code, out)
    }

    /// Orders the leaves: those of choice fields first, by field, each
    /// field's as a table; then the rest by operation, in groups. Returns
    /// where each leaf went (old index to new).
    mutating func sortLeaves() -> [Int] {
        let levels = code.leaves.map(choiceLevels)
        let order = code.leaves.indices.sorted { a, b in
            let x = code.leaves[a], y = code.leaves[b]
            switch (levels[a] != nil, levels[b] != nil) {
            case (true, false): return true
            case (false, true): return false
            case (true, true): return x.field != y.field ? x.field < y.field : a < b
            case (false, false): return x.op.rawValue != y.op.rawValue ? x.op.rawValue < y.op.rawValue : a < b
            }
        }
        var remap = [Int](repeating: 0, count: code.leaves.count)
        for (new, old) in order.enumerated() { remap[old] = new }
        let sortedLevels = order.map { levels[$0] }
        code.leaves = order.map { code.leaves[$0] }
        code.tables = []
        code.tableMasks = []
        code.groups = []
        var i = 0
        while i < code.leaves.count, let count = sortedLevels[i] {
            var end = i + 1
            while end < code.leaves.count, sortedLevels[end] != nil, code.leaves[end].field == code.leaves[i].field { end += 1 }
            appendTable(leaves: i..<end, levels: count)
            i = end
        }
        while i < code.leaves.count {
            let l = code.leaves[i]
            if let last = code.groups.last, last.op == l.op {
                code.groups[code.groups.count - 1].end = Int32(i + 1)
            } else {
                code.groups.append(LeafGroup(op: l.op, start: Int32(i), end: Int32(i + 1)))
            }
            i += 1
        }
        leafIndex = [:]
        return remap
    }

    /// The number of levels of a leaf's field when it is a choice field
    /// (scale, `one of`, yes/no) of at most 256 levels and the leaf is not
    /// a closure; else nil.
    func choiceLevels(_ l: Leaf) -> Int? {
        guard l.op != .test, model.fields.indices.contains(Int(l.field)) else { return nil }
        let n: Int
        switch model.fields[Int(l.field)].type {
        case .scale(let s) where model.scales.indices.contains(s): n = model.scales[s].levels.count
        case .enumeration(let e) where model.enumerations.indices.contains(e): n = model.enumerations[e].values.count
        case .bool: n = 2
        default: return nil
        }
        return n >= 1 && n <= 256 ? n : nil
    }

    /// The table of one field's leaves: for each level, and for missing,
    /// the bits they have.
    mutating func appendTable(leaves range: Range<Int>, levels: Int) {
        let firstWord = range.lowerBound >> 6
        let words = ((range.upperBound - 1) >> 6) - firstWord + 1
        let rows = code.tableMasks.count
        for row in 0...levels {
            var masks = [UInt64](repeating: 0, count: words)
            for i in range {
                let p = row < levels
                if ConditionCode.value(code.leaves[i], p, p ? Double(row) : 0) {
                    masks[(i >> 6) - firstWord] |= 1 << UInt64(i & 63)
                }
            }
            code.tableMasks += masks
        }
        code.tables.append(ChoiceTable(field: Int(code.leaves[range.lowerBound].field), levels: levels,
                                       leafStart: range.lowerBound, leafEnd: range.upperBound,
                                       word: firstWord, words: words, rows: rows))
        if words == 1 {
            code.oneWordTables.append(OneWordTable(field: Int32(code.leaves[range.lowerBound].field), levels: Int32(levels),
                                                   rows: Int32(rows), word: Int32(firstWord), table: Int32(code.tables.count - 1)))
        } else {
            code.wideTables.append(code.tables.count - 1)
        }
    }

    // MARK: - Leaves

    /// The index of a leaf, made the first time it is asked for.
    mutating func leaf(_ l: Leaf) -> Int {
        if let known = leafIndex[l] { return known }
        code.leaves.append(l)
        leafIndex[l] = code.leaves.count - 1
        return code.leaves.count - 1
    }

    /// The leaf for a condition that is a test of a field, or nil for
    /// `constant`, `define`, `not`, `and` and `or`.
    mutating func leaf(for c: Condition) -> Int? {
        switch c.kind {
        case .constant, .define, .not, .and, .or:
            return nil
        case .flag(let f):
            return leaf(Leaf(.yes, field: f))
        case .presence(let f, let missing):
            return leaf(Leaf(.present, flag: missing, field: f))
        case .compare(let op, .field(let f), .value(let v)) where model.fields[f].type != .text:
            return leaf(Leaf(ConditionCompiler.opcode(op), field: f, constant: v.scalar ?? .nan))
        case .member(.field(let f), let values, let negated) where model.fields[f].type.isChoice:
            // Only a choice field's values are small whole numbers: a number
            // field's 0.5 must not be read as 0 (Grammar.md §5).
            let scalars = values.compactMap(\.scalar)
            if scalars.count == values.count, scalars.allSatisfy({ $0 >= 0 && $0 < 64 && $0 == $0.rounded() }) {
                var mask: UInt64 = 0
                for s in scalars { mask |= 1 << UInt64(s) }
                return leaf(Leaf(.inSet, flag: negated, field: f, operand: mask))
            }
            return test(closure(c))
        default:
            return test(closure(c))
        }
    }

    /// A `test` leaf calling a new closure (closures are not shared).
    mutating func test(_ t: @escaping Test) -> Int {
        code.tests.append(t)
        code.leaves.append(Leaf(.test, field: code.tests.count - 1))
        return code.leaves.count - 1
    }

    static func opcode(_ op: CompareOp) -> Leaf.Op {
        switch op {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        }
    }

    // MARK: - Normal form

    /// The condition (or its negation) as an `or` of terms, each an `and`
    /// of literals; nil when that would take more than `termLimit` terms.
    /// No terms: never holds; one empty term: always holds.
    mutating func normalForm(_ c: Condition, positive: Bool) -> [[Literal]]? {
        switch c.kind {
        case .constant(let b):
            return b == positive ? [[]] : []
        case .not(let a):
            return normalForm(a, positive: !positive)
        case .and(let a, let b), .or(let a, let b):
            let isAnd: Bool
            if case .and = c.kind { isAnd = true } else { isAnd = false }
            guard let x = normalForm(a, positive: positive), let y = normalForm(b, positive: positive) else { return nil }
            // `a and b` holds when both do; its negation when either fails.
            return isAnd == positive ? ConditionCompiler.both(x, y) : ConditionCompiler.either(x, y)
        case .define(let d):
            guard model.defines.indices.contains(d) else { return positive ? [] : [[]] }
            return normalForm(model.defines[d].condition, positive: positive)
        default:
            guard let l = leaf(for: c) else { return nil }
            return [[Literal(leaf: l, positive: positive)]]
        }
    }

    /// `x or y`, or nil past the limit.
    static func either(_ x: [[Literal]], _ y: [[Literal]]) -> [[Literal]]? {
        x.count + y.count <= termLimit ? x + y : nil
    }

    /// `x and y`: every term of one with every term of the other, less
    /// those that need a leaf both true and false; nil past the limit.
    static func both(_ x: [[Literal]], _ y: [[Literal]]) -> [[Literal]]? {
        guard x.count * y.count <= termLimit * termLimit else { return nil }
        var out: [[Literal]] = []
        for a in x {
            for b in y {
                var term = a
                var contradiction = false
                for l in b where !term.contains(l) {
                    if term.contains(Literal(leaf: l.leaf, positive: !l.positive)) { contradiction = true }
                    term.append(l)
                }
                if !contradiction { out.append(term) }
            }
        }
        return out.count <= termLimit ? out : nil
    }

    /// Appends one term: a word entry per word of leaf bits it touches
    /// (its rule's end is marked by the caller).
    mutating func appendTerm(_ term: [Literal]) {
        var words: [Int: (need: UInt64, want: UInt64)] = [:]
        for l in term {
            let bit: UInt64 = 1 << UInt64(l.leaf & 63)
            var w = words[l.leaf >> 6] ?? (0, 0)
            w.need |= bit
            if l.positive { w.want |= bit }
            words[l.leaf >> 6] = w
        }
        let sorted = words.keys.sorted()
        if sorted.isEmpty {
            // Always holds: one word that asks nothing.
            code.terms.append(TermWord(word: 0, endsTerm: true, endsRule: false, need: 0, want: 0))
            return
        }
        for (k, word) in sorted.enumerated() {
            let w = words[word] ?? (0, 0)
            code.terms.append(TermWord(word: Int32(word), endsTerm: k == sorted.count - 1, endsRule: false, need: w.need, want: w.want))
        }
    }

    // MARK: - Conditions kept in their shape

    /// Appends a body (its jumps relative to its start) to the instructions.
    mutating func append(_ body: [Instruction]) -> CompiledCondition {
        let start = code.instructions.count
        for var i in ConditionCompiler.threaded(body) {
            if i.isJump { i.field += Int32(start) }
            code.instructions.append(i)
        }
        return CompiledCondition(start: Int32(start), end: Int32(code.instructions.count), general: true)
    }

    /// Emits a condition into `body`; jump targets are body offsets.
    mutating func emit(_ c: Condition, into body: inout [Instruction]) {
        switch c.kind {
        case .constant(let b):
            body.append(Instruction(.constant, flag: b))
        case .not(let a):
            emit(a, into: &body)
            body.append(Instruction(.not))
        case .and(let a, let b), .or(let a, let b):
            let isAnd: Bool
            if case .and = c.kind { isAnd = true } else { isAnd = false }
            emit(a, into: &body)
            let jump = body.count
            body.append(Instruction(isAnd ? .jumpIfFalse : .jumpIfTrue))
            emit(b, into: &body)
            body[jump].field = Int32(body.count)
        case .define(let d):
            guard model.defines.indices.contains(d) else {
                body.append(Instruction(.constant, flag: false))
                return
            }
            var inner: [Instruction] = []
            emit(model.defines[d].condition, into: &inner)
            if inner.count <= ConditionCompiler.inlineLimit {
                let offset = Int32(body.count)
                for var i in inner {
                    if i.isJump { i.field += offset }
                    body.append(i)
                }
            } else {
                body.append(Instruction(.call, field: call(d, inner)))
            }
        default:
            body.append(Instruction(.leaf, field: leaf(for: c) ?? 0))
        }
    }

    /// The index of define `d`'s called code, compiling it the first time.
    mutating func call(_ d: Int, _ inner: [Instruction]) -> Int {
        if let known = defineCalls[d] { return known }
        let range = append(inner)
        code.defines.append(range)
        defineCalls[d] = code.defines.count - 1
        return code.defines.count - 1
    }

    /// Jumps to a jump are followed: after `A and B` fails, the `and` of
    /// `(A and B) and C` fails too, so the first jump can go to the end.
    static func threaded(_ body: [Instruction]) -> [Instruction] {
        var out = body
        for k in out.indices where out[k].isJump {
            var target = Int(out[k].field)
            var steps = 0
            while target < out.count, out[target].isJump, steps < out.count {
                // The same jump on the same register value is taken; the
                // other kind of jump is not, so go past it.
                target = out[target].op == out[k].op ? Int(out[target].field) : target + 1
                steps += 1
            }
            out[k].field = Int32(target)
        }
        return out
    }

    // MARK: - Closures for the other leaves

    /// A leaf as a closure (any condition, in fact: the reference for tests).
    mutating func closure(_ c: Condition) -> Test {
        switch c.kind {
        case .constant(let b):
            return { _ in b }
        case .flag(let f):
            return { r in r.isPresent(f) && r.scalar(f) != 0 }
        case .define(let d):
            guard model.defines.indices.contains(d) else { return { _ in false } }
            return closure(model.defines[d].condition)
        case .not(let a):
            let ta = closure(a)
            return { r in !ta(r) }
        case .and(let a, let b):
            let ta = closure(a)
            let tb = closure(b)
            return { r in ta(r) && tb(r) }
        case .or(let a, let b):
            let ta = closure(a)
            let tb = closure(b)
            return { r in ta(r) || tb(r) }
        case .presence(let f, let missing):
            if missing { return { r in !r.isPresent(f) } }
            return { r in r.isPresent(f) }
        case .compare(let op, let a, let b):
            return compare(op, a, b)
        case .member(let a, let values, let negated):
            return member(a, values, negated: negated)
        case .memberOfField(let a, let list, let negated):
            return memberOfField(a, list: list, negated: negated)
        case .listContains(let list, let value):
            if case .text(let s) = value {
                let bytes = Array(s.utf8)
                return { r in r.isPresent(list) && r.listTexts(list).contains { r.textBytes[$0].elementsEqual(bytes) } }
            }
            let v = value.scalar ?? .nan
            return { r in r.isPresent(list) && r.listScalars(list).contains(v) }
        case .clock(let test, let f, let c):
            return clock(test, field: f, calendar: c)
        case .text(let test, let f, let s):
            let needle = Array(s.utf8)
            switch test {
            case .contains: return { r in r.isPresent(f) && ConditionCompiler.contains(r.text(f), needle) }
            case .startsWith: return { r in r.isPresent(f) && r.text(f).starts(with: needle) }
            case .endsWith: return { r in r.isPresent(f) && r.text(f).reversed().starts(with: needle.reversed()) }
            }
        }
    }

    // MARK: - Clock conditions

    /// A clock condition: false when the time is missing, whatever the test.
    func clock(_ test: ClockTest, field f: Int, calendar c: Int?) -> Test {
        let zone = c.flatMap { model.calendars.indices.contains($0) ? model.calendars[$0].zone : nil }
        switch test {
        case .weekdays(let bits):
            return { r in r.isPresent(f) && bits & (1 << UInt8(LocalClock.read(r.scalar(f), zone: zone).weekday)) != 0 }
        case .timeOfDay(let ranges):
            return { r in
                guard r.isPresent(f) else { return false }
                let minute = LocalClock.read(r.scalar(f), zone: zone).minute
                return ranges.contains { $0.contains(minute) }
            }
        case .openingHours(let inside):
            // INVARIANT: the checker refuses `opening hours` without a calendar.
            guard let c, calendars.indices.contains(c), let calendar = calendars[c] else { return { _ in false } }
            return { r in
                r.isPresent(f) && calendar.isOpen(at: ReferenceInterpreter.whole(r.scalar(f))) == inside
            }
        }
    }

    // MARK: - Comparisons

    func compare(_ op: CompareOp, _ a: Operand, _ b: Operand) -> Test {
        switch (a, b) {
        case (.field(let f), .value(.text(let s))):
            let bytes = Array(s.utf8)
            switch op {
            case .equal: return { r in r.isPresent(f) && r.text(f).elementsEqual(bytes) }
            case .notEqual: return { r in r.isPresent(f) && !r.text(f).elementsEqual(bytes) }
            default: return { _ in false } // the checker allows no order on text
            }
        case (.field(let f), .value(let v)):
            let c = v.scalar ?? .nan
            switch op {
            case .equal: return { r in r.isPresent(f) && r.scalar(f) == c }
            case .notEqual: return { r in r.isPresent(f) && r.scalar(f) != c }
            case .less: return { r in r.isPresent(f) && r.scalar(f) < c }
            case .lessEqual: return { r in r.isPresent(f) && r.scalar(f) <= c }
            case .greater: return { r in r.isPresent(f) && r.scalar(f) > c }
            case .greaterEqual: return { r in r.isPresent(f) && r.scalar(f) >= c }
            }
        case (.field(let f), .field(let g)) where model.fields[f].type == .text:
            switch op {
            case .equal: return { r in r.isPresent(f) && r.isPresent(g) && r.text(f).elementsEqual(r.text(g)) }
            case .notEqual: return { r in r.isPresent(f) && r.isPresent(g) && !r.text(f).elementsEqual(r.text(g)) }
            default: return { _ in false }
            }
        default:
            // Age and field-to-field scalars: read each side, then compare.
            let left = scalarReader(a)
            let right = scalarReader(b)
            return { r in
                guard let x = left(r), let y = right(r) else { return false }
                return ConditionCompiler.apply(op, x, y)
            }
        }
    }

    /// Reads an operand as a scalar, nil when missing.
    func scalarReader(_ operand: Operand) -> @Sendable (RecordBuffer) -> Double? {
        switch operand {
        case .field(let f):
            return { r in r.isPresent(f) ? r.scalar(f) : nil }
        case .age:
            guard let clock = model.clockField else { return { _ in nil } }
            return { r in r.isPresent(clock) ? r.now - r.scalar(clock) : nil }
        case .value(let v):
            let c = v.scalar
            return { _ in c }
        case .history(let i):
            return { r in r.historyValue(i) }
        }
    }

    @inline(__always)
    static func apply(_ op: CompareOp, _ x: Double, _ y: Double) -> Bool {
        switch op {
        case .equal: return x == y
        case .notEqual: return x != y
        case .less: return x < y
        case .lessEqual: return x <= y
        case .greater: return x > y
        case .greaterEqual: return x >= y
        }
    }

    // MARK: - Membership

    func member(_ a: Operand, _ values: [Value], negated: Bool) -> Test {
        if case .field(let f) = a, model.fields[f].type == .text {
            let texts = values.compactMap { v -> [UInt8]? in
                if case .text(let s) = v { return Array(s.utf8) }
                return nil
            }
            return { r in
                guard r.isPresent(f) else { return false }
                let t = r.text(f)
                return texts.contains { $0.elementsEqual(t) } != negated
            }
        }
        let scalars = values.compactMap(\.scalar)
        // Levels and `one of` values are small whole numbers: a bit set.
        // Not numbers: 7.2 is not in [0, 7].
        if case .field(let f) = a, model.fields[f].type.isChoice, scalars.allSatisfy({ $0 >= 0 && $0 < 64 && $0 == $0.rounded() }) {
            var mask: UInt64 = 0
            for s in scalars { mask |= 1 << UInt64(s) }
            let bits = mask
            return { r in
                guard r.isPresent(f) else { return false }
                let v = r.scalar(f)
                guard let level = ConditionCode.level(v, below: 64) else { return negated }
                let hit = bits & (1 << UInt64(level)) != 0
                return hit != negated
            }
        }
        let read = scalarReader(a)
        return { r in
            guard let v = read(r) else { return false }
            return scalars.contains(v) != negated
        }
    }

    func memberOfField(_ a: Operand, list: Int, negated: Bool) -> Test {
        if case .field(let f) = a, model.fields[f].type == .text {
            return { r in
                guard r.isPresent(f), r.isPresent(list) else { return false }
                let t = r.text(f)
                return r.listTexts(list).contains { r.textBytes[$0].elementsEqual(t) } != negated
            }
        }
        let read = scalarReader(a)
        return { r in
            guard let v = read(r), r.isPresent(list) else { return false }
            return r.listScalars(list).contains(v) != negated
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if haystack.count < needle.count { return false }
        var i = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while i <= last {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
