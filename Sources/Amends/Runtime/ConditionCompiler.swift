/// Compiles checked conditions into closures over a `RecordBuffer`.
///
/// Each leaf is specialised for its operand kinds and operator, so the common
/// case (a field against a constant) is one presence check and one compare.
/// A comparison with a missing value is false, whatever the operator;
/// `not` of it is therefore true.
struct ConditionCompiler {
    typealias Test = Program.Test

    let model: PolicyModel
    /// Each define compiled once, reused wherever it is named.
    var defines: [Int: Test] = [:]

    init(model: PolicyModel) {
        self.model = model
    }

    mutating func compile(_ c: Condition) -> Test {
        switch c.kind {
        case .constant(let b):
            return { _ in b }
        case .flag(let f):
            return { r in r.present[f] && r.scalars[f] != 0 }
        case .define(let d):
            if let cached = defines[d] { return cached }
            var test: Test = { _ in false }
            if model.defines.indices.contains(d) { test = compile(model.defines[d].condition) }
            defines[d] = test
            return test
        case .not(let a):
            let ta = compile(a)
            return { r in !ta(r) }
        case .and(let a, let b):
            let ta = compile(a)
            let tb = compile(b)
            return { r in ta(r) && tb(r) }
        case .or(let a, let b):
            let ta = compile(a)
            let tb = compile(b)
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
