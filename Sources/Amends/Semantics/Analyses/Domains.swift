/// The sets of values the analyses reason about: what one field may hold
/// after some conditions are known to be true.
///
/// Every set also says whether "no value" (a missing optional field) is in
/// it, because a comparison with a missing value is false and so its
/// negation holds for a missing value.

// MARK: - Finite sets

/// A FiniteSet is a subset of `0..<count`: the levels of a scale, the values
/// of a `one of` field, or no/yes.
struct FiniteSet: Sendable, Hashable {
    let count: Int
    private(set) var words: [UInt64]

    init(count: Int, all: Bool) {
        self.count = max(0, count)
        words = Array(repeating: all ? ~0 : 0, count: (self.count + 63) / 64)
        trim()
    }

    init<S: Sequence>(count: Int, members: S) where S.Element == Int {
        self.init(count: count, all: false)
        for m in members { insert(m) }
    }

    mutating func insert(_ i: Int) {
        guard i >= 0 && i < count else { return }
        words[i / 64] |= 1 << UInt64(i % 64)
    }

    func contains(_ i: Int) -> Bool {
        guard i >= 0 && i < count else { return false }
        return words[i / 64] & (1 << UInt64(i % 64)) != 0
    }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    var isFull: Bool { complement().isEmpty }
    var first: Int? { (0..<count).first(where: contains) }
    var members: [Int] { (0..<count).filter(contains) }

    func intersection(_ other: FiniteSet) -> FiniteSet {
        var result = self
        for k in result.words.indices where k < other.words.count { result.words[k] &= other.words[k] }
        return result
    }

    func union(_ other: FiniteSet) -> FiniteSet {
        var result = self
        for k in result.words.indices where k < other.words.count { result.words[k] |= other.words[k] }
        return result
    }

    func isSubset(of other: FiniteSet) -> Bool {
        intersection(other) == self
    }

    func complement() -> FiniteSet {
        var result = self
        for k in result.words.indices { result.words[k] = ~result.words[k] }
        result.trim()
        return result
    }

    private mutating func trim() {
        let extra = words.count * 64 - count
        if extra > 0, let last = words.indices.last { words[last] &= ~0 >> UInt64(extra) }
    }
}

// MARK: - Intervals

/// An Interval of the real line; an infinite end is never closed.
struct Interval: Sendable, Hashable {
    var low: Double
    var lowClosed: Bool
    var high: Double
    var highClosed: Bool

    static let all = Interval(low: -.infinity, lowClosed: false, high: .infinity, highClosed: false)

    static func point(_ v: Double) -> Interval { Interval(low: v, lowClosed: true, high: v, highClosed: true) }

    var isEmpty: Bool {
        if low.isNaN || high.isNaN { return true }
        if low < high { return false }
        return !(low == high && lowClosed && highClosed)
    }

    func contains(_ v: Double) -> Bool {
        (v > low || (lowClosed && v == low)) && (v < high || (highClosed && v == high))
    }

    /// A value inside, preferring a whole number near the low end.
    var sample: Double? {
        guard !isEmpty else { return nil }
        if low == -.infinity {
            if high == .infinity { return 0 }
            let v = highClosed ? high.rounded(.down) : (high - 1).rounded(.up)
            return contains(v) ? v : high - 1
        }
        let whole = lowClosed ? low.rounded(.up) : (low + 1).rounded(.down)
        if contains(whole) { return whole }
        if lowClosed { return low }
        if high == .infinity { return low + 1 }
        return low + (high - low) / 2
    }
}

/// An IntervalSet is a union of disjoint intervals in increasing order: the
/// numbers, times (seconds) or durations (seconds) a field may hold.
struct IntervalSet: Sendable, Hashable {
    private(set) var parts: [Interval]

    init(_ parts: [Interval]) {
        self.parts = IntervalSet.normalized(parts)
    }

    static let all = IntervalSet([.all])
    static let empty = IntervalSet([])

    var isEmpty: Bool { parts.isEmpty }
    var isAll: Bool { parts == [.all] }
    var sample: Double? { parts.lazy.compactMap(\.sample).first }

    func contains(_ v: Double) -> Bool { parts.contains { $0.contains(v) } }

    /// `x op v` as a set.
    static func comparison(_ op: CompareOp, _ v: Double) -> IntervalSet {
        switch op {
        case .equal: return IntervalSet([.point(v)])
        case .notEqual: return IntervalSet([.point(v)]).complement()
        case .less: return IntervalSet([Interval(low: -.infinity, lowClosed: false, high: v, highClosed: false)])
        case .lessEqual: return IntervalSet([Interval(low: -.infinity, lowClosed: false, high: v, highClosed: true)])
        case .greater: return IntervalSet([Interval(low: v, lowClosed: false, high: .infinity, highClosed: false)])
        case .greaterEqual: return IntervalSet([Interval(low: v, lowClosed: true, high: .infinity, highClosed: false)])
        }
    }

    func intersection(_ other: IntervalSet) -> IntervalSet {
        if other.isAll || isEmpty { return self }
        if isAll || other.isEmpty { return other }
        var result: [Interval] = []
        var i = 0
        var j = 0
        while i < parts.count && j < other.parts.count {
            let a = parts[i]
            let b = other.parts[j]
            var low = a.low
            var lowClosed = a.lowClosed
            if b.low > low || (b.low == low && !b.lowClosed) {
                low = b.low
                lowClosed = b.lowClosed
            }
            var high = a.high
            var highClosed = a.highClosed
            if b.high < high || (b.high == high && !b.highClosed) {
                high = b.high
                highClosed = b.highClosed
            }
            let cut = Interval(low: low, lowClosed: lowClosed, high: high, highClosed: highClosed)
            if !cut.isEmpty { result.append(cut) }
            // Move past whichever ends first.
            if a.high < b.high || (a.high == b.high && !a.highClosed) { i += 1 } else { j += 1 }
        }
        return IntervalSet(result)
    }

    func complement() -> IntervalSet {
        var result: [Interval] = []
        var low = -Double.infinity
        var lowClosed = false
        for part in parts {
            let gap = Interval(low: low, lowClosed: lowClosed, high: part.low, highClosed: !part.lowClosed && part.low.isFinite)
            if !gap.isEmpty { result.append(gap) }
            low = part.high
            lowClosed = !part.highClosed && part.high.isFinite
        }
        let tail = Interval(low: low, lowClosed: lowClosed, high: .infinity, highClosed: false)
        if !tail.isEmpty && low != .infinity { result.append(tail) }
        return IntervalSet(result)
    }

    func isSubset(of other: IntervalSet) -> Bool {
        other.isAll || isEmpty || intersection(other) == self
    }

    /// Sorted, empty parts dropped, touching parts merged.
    static func normalized(_ input: [Interval]) -> [Interval] {
        if input.count == 1, let only = input.first { return only.isEmpty ? [] : input }
        let sorted = input.filter { !$0.isEmpty }.sorted {
            $0.low != $1.low ? $0.low < $1.low : ($0.lowClosed && !$1.lowClosed)
        }
        var out: [Interval] = []
        for part in sorted {
            guard var last = out.last else {
                out.append(part)
                continue
            }
            let touches = part.low < last.high || (part.low == last.high && (part.lowClosed || last.highClosed))
            if touches {
                if part.high > last.high || (part.high == last.high && part.highClosed) {
                    last.high = part.high
                    last.highClosed = part.highClosed
                }
                out[out.count - 1] = last
            } else {
                out.append(part)
            }
        }
        return out
    }
}

// MARK: - Constraints

/// A Constraint is the set of values one variable may take: its values, and
/// whether it may be missing.
struct Constraint: Sendable, Hashable {
    enum Values: Sendable, Hashable {
        case finite(FiniteSet)
        case numeric(IntervalSet)
        case text(TextDomain)
    }

    var values: Values
    var missing: Bool

    var isEmpty: Bool { !missing && valuesEmpty }

    var valuesEmpty: Bool {
        switch values {
        case .finite(let s): return s.isEmpty
        case .numeric(let s): return s.isEmpty
        case .text(let t): return t.isEmpty
        }
    }

    func intersection(_ other: Constraint) -> Constraint {
        let v: Values
        switch (values, other.values) {
        case (.finite(let a), .finite(let b)): v = .finite(a.intersection(b))
        case (.numeric(let a), .numeric(let b)): v = .numeric(a.intersection(b))
        case (.text(let a), .text(let b)): v = .text(a.intersection(b))
        default: v = values // INVARIANT: one variable always has one kind of values.
        }
        return Constraint(values: v, missing: missing && other.missing)
    }

    /// Whether every value allowed here is allowed by `other`.
    func isSubset(of other: Constraint) -> Bool {
        if missing && !other.missing { return false }
        switch (values, other.values) {
        case (.finite(let a), .finite(let b)): return a.isSubset(of: b)
        case (.numeric(let a), .numeric(let b)): return a.isSubset(of: b)
        case (.text(let a), .text(let b)): return a.valuesEmptyOrSubset(of: b)
        default: return false
        }
    }

    /// The complement, within the same kind of values. Text constraints are
    /// complemented only in the forms conditions make (one set or one pattern).
    func complement() -> Constraint {
        let v: Values
        switch values {
        case .finite(let s): v = .finite(s.complement())
        case .numeric(let s): v = .numeric(s.complement())
        case .text(let t):
            if t.patterns.isEmpty {
                v = .text(TextDomain(set: t.set.complement(), patterns: []))
            } else if t.patterns.count == 1, let p = t.patterns.first, t.set == .all {
                v = .text(TextDomain(set: .all, patterns: [TextPattern(test: p.test, needle: p.needle, positive: !p.positive)]))
            } else {
                v = values // INVARIANT: literals hold one set or one pattern.
            }
        }
        return Constraint(values: v, missing: !missing)
    }
}
