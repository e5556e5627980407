/// Compiles checked conditions into `ConditionCode`.
///
/// Each leaf is specialised for its operand kinds and operator, so the common
/// case (a field against a constant) is one instruction: a presence check and
/// one compare. Other leaves become closures over a `RecordBuffer`, called by
/// a `test` instruction. A comparison with a missing value is false, whatever
/// the operator; `not` of it is therefore true.
struct ConditionCompiler {
    typealias Test = Program.Test

    let model: PolicyModel
    var code = ConditionCode()
    /// Each called define's code, compiled once at the end of `code`.
    var defineCalls: [Int: Int] = [:]
    /// Defines at most this long are copied where they are used.
    static let inlineLimit = 32

    init(model: PolicyModel) {
        self.model = model
    }

    /// Compiles one rule's condition; its code is the range returned.
    mutating func compileRule(_ c: Condition) -> CodeRange {
        var body: [Instruction] = []
        emit(c, into: &body)
        return append(body)
    }

    /// Appends a body (its jumps relative to its start) to the program.
    mutating func append(_ body: [Instruction]) -> CodeRange {
        let start = code.instructions.count
        for var i in ConditionCompiler.threaded(body) {
            if i.isJump { i.field += Int32(start) }
            code.instructions.append(i)
        }
        return CodeRange(start: Int32(start), end: Int32(code.instructions.count))
    }

    /// Emits a condition into `body`; jump targets are body offsets.
    mutating func emit(_ c: Condition, into body: inout [Instruction]) {
        switch c.kind {
        case .constant(let b):
            body.append(Instruction(.constant, flag: b))
        case .flag(let f):
            body.append(Instruction(.yes, field: f))
        case .presence(let f, let missing):
            body.append(Instruction(.present, flag: missing, field: f))
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
        case .compare(let op, .field(let f), .value(let v)) where model.fields[f].type != .text:
            body.append(Instruction(ConditionCompiler.opcode(op), field: f, constant: v.scalar ?? .nan))
        case .member(.field(let f), let values, let negated) where model.fields[f].type != .text:
            let scalars = values.compactMap(\.scalar)
            // Levels and `one of` values are small whole numbers: a bit set.
            if scalars.count == values.count, scalars.allSatisfy({ $0 >= 0 && $0 < 64 && $0 == $0.rounded() }) {
                var mask: UInt64 = 0
                for s in scalars { mask |= 1 << UInt64(s) }
                body.append(Instruction(.inSet, flag: negated, field: f, operand: mask))
            } else {
                body.append(test(closure(c)))
            }
        default:
            body.append(test(closure(c)))
        }
    }

    /// A `test` instruction calling a new closure.
    mutating func test(_ t: @escaping Test) -> Instruction {
        code.tests.append(t)
        return Instruction(.test, field: code.tests.count - 1)
    }

    /// The index of define `d`'s called code, compiling it the first time.
    mutating func call(_ d: Int, _ inner: [Instruction]) -> Int {
        if let known = defineCalls[d] { return known }
        let range = append(inner)
        code.defines.append(range)
        defineCalls[d] = code.defines.count - 1
        return code.defines.count - 1
    }

    static func opcode(_ op: CompareOp) -> Instruction.Op {
        switch op {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        }
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
            return { r in r.present[f] && r.scalars[f] != 0 }
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
            if missing { return { r in !r.present[f] } }
            return { r in r.present[f] }
        case .compare(let op, let a, let b):
            return compare(op, a, b)
        case .member(let a, let values, let negated):
            return member(a, values, negated: negated)
        case .memberOfField(let a, let list, let negated):
            return memberOfField(a, list: list, negated: negated)
        case .listContains(let list, let value):
            if case .text(let s) = value {
                let bytes = Array(s.utf8)
                return { r in r.present[list] && r.listTexts[list].contains { r.textBytes[$0].elementsEqual(bytes) } }
            }
            let v = value.scalar ?? .nan
            return { r in r.present[list] && r.listScalars[list].contains(v) }
        case .text(let test, let f, let s):
            let needle = Array(s.utf8)
            switch test {
            case .contains: return { r in r.present[f] && ConditionCompiler.contains(r.text(f), needle) }
            case .startsWith: return { r in r.present[f] && r.text(f).starts(with: needle) }
            case .endsWith: return { r in r.present[f] && r.text(f).reversed().starts(with: needle.reversed()) }
            }
        }
    }

    // MARK: - Comparisons

    func compare(_ op: CompareOp, _ a: Operand, _ b: Operand) -> Test {
        switch (a, b) {
        case (.field(let f), .value(.text(let s))):
            let bytes = Array(s.utf8)
            switch op {
            case .equal: return { r in r.present[f] && r.text(f).elementsEqual(bytes) }
            case .notEqual: return { r in r.present[f] && !r.text(f).elementsEqual(bytes) }
            default: return { _ in false } // the checker allows no order on text
            }
        case (.field(let f), .value(let v)):
            let c = v.scalar ?? .nan
            switch op {
            case .equal: return { r in r.present[f] && r.scalars[f] == c }
            case .notEqual: return { r in r.present[f] && r.scalars[f] != c }
            case .less: return { r in r.present[f] && r.scalars[f] < c }
            case .lessEqual: return { r in r.present[f] && r.scalars[f] <= c }
            case .greater: return { r in r.present[f] && r.scalars[f] > c }
            case .greaterEqual: return { r in r.present[f] && r.scalars[f] >= c }
            }
        case (.field(let f), .field(let g)) where model.fields[f].type == .text:
            switch op {
            case .equal: return { r in r.present[f] && r.present[g] && r.text(f).elementsEqual(r.text(g)) }
            case .notEqual: return { r in r.present[f] && r.present[g] && !r.text(f).elementsEqual(r.text(g)) }
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
            return { r in r.present[f] ? r.scalars[f] : nil }
        case .age:
            guard let clock = model.clockField else { return { _ in nil } }
            return { r in r.present[clock] ? r.now - r.scalars[clock] : nil }
        case .value(let v):
            let c = v.scalar
            return { _ in c }
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
                guard r.present[f] else { return false }
                let t = r.text(f)
                return texts.contains { $0.elementsEqual(t) } != negated
            }
        }
        let scalars = values.compactMap(\.scalar)
        // Levels and `one of` values are small whole numbers: a bit set.
        if case .field(let f) = a, scalars.allSatisfy({ $0 >= 0 && $0 < 64 && $0 == $0.rounded() }) {
            var mask: UInt64 = 0
            for s in scalars { mask |= 1 << UInt64(s) }
            let bits = mask
            return { r in
                guard r.present[f] else { return false }
                let v = r.scalars[f]
                let hit = v >= 0 && v < 64 && bits & (1 << UInt64(v)) != 0
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
                guard r.present[f], r.present[list] else { return false }
                let t = r.text(f)
                return r.listTexts[list].contains { r.textBytes[$0].elementsEqual(t) } != negated
            }
        }
        let read = scalarReader(a)
        return { r in
            guard let v = read(r), r.present[list] else { return false }
            return r.listScalars[list].contains(v) != negated
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
