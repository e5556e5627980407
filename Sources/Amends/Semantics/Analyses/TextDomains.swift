/// The texts a text field may hold, as the analyses see them: a finite set
/// or all texts but a finite set, narrowed by `contains`, `starts with` and
/// `ends with` patterns. Emptiness is exact for finite sets; for the rest it
/// is claimed only when patterns plainly contradict each other, so the
/// analyses never see a contradiction that is not there.

/// A TextSet is a finite set of texts, or every text but a finite set.
struct TextSet: Sendable, Hashable {
    var cofinite: Bool
    var items: Set<String>

    static let all = TextSet(cofinite: true, items: [])

    func contains(_ s: String) -> Bool { items.contains(s) != cofinite }

    func intersection(_ other: TextSet) -> TextSet {
        switch (cofinite, other.cofinite) {
        case (false, false): return TextSet(cofinite: false, items: items.intersection(other.items))
        case (false, true): return TextSet(cofinite: false, items: items.subtracting(other.items))
        case (true, false): return TextSet(cofinite: false, items: other.items.subtracting(items))
        case (true, true): return TextSet(cofinite: true, items: items.union(other.items))
        }
    }

    func complement() -> TextSet { TextSet(cofinite: !cofinite, items: items) }

    func isSubset(of other: TextSet) -> Bool {
        switch (cofinite, other.cofinite) {
        case (false, false): return items.isSubset(of: other.items)
        case (false, true): return items.isDisjoint(with: other.items)
        case (true, false): return false
        case (true, true): return other.items.isSubset(of: items)
        }
    }
}

/// A TextPattern is `contains`, `starts with` or `ends with` a text, or its
/// negation.
struct TextPattern: Sendable, Hashable {
    var test: TextTest
    var needle: String
    var positive: Bool

    func matches(_ s: String) -> Bool {
        let hit: Bool
        switch test {
        case .contains: hit = needle.isEmpty || s.contains(needle)
        case .startsWith: hit = s.hasPrefix(needle)
        case .endsWith: hit = s.hasSuffix(needle)
        }
        return hit == positive
    }

    /// Whether every text this positive pattern admits also matches `other`
    /// (positive): `starts with "ab"` implies `starts with "a"` and `contains "b"`.
    func implies(_ other: TextPattern) -> Bool {
        guard positive && other.positive else { return self == other }
        if other.needle.isEmpty { return true }
        switch (test, other.test) {
        case (.startsWith, .startsWith): return needle.hasPrefix(other.needle)
        case (.endsWith, .endsWith): return needle.hasSuffix(other.needle)
        case (_, .contains): return needle.contains(other.needle)
        default: return false
        }
    }
}

/// A TextDomain is the texts a text field may hold: a set, narrowed further
/// by patterns.
struct TextDomain: Sendable, Hashable {
    var set: TextSet
    var patterns: [TextPattern]

    static let all = TextDomain(set: .all, patterns: [])

    func intersection(_ other: TextDomain) -> TextDomain {
        var patterns = self.patterns
        for p in other.patterns where !patterns.contains(p) { patterns.append(p) }
        return TextDomain(set: set.intersection(other.set), patterns: patterns)
    }

    /// False only when no text can be in it (for finite sets exactly; for
    /// the rest, when the patterns plainly contradict each other).
    var isEmpty: Bool { sample == nil && provablyEmpty }

    private var provablyEmpty: Bool {
        if !set.cofinite { return true } // a finite set with no member passing the patterns
        let positives = patterns.filter(\.positive)
        for p in patterns where !p.positive {
            // `not starts with "a"` with `starts with "ab"`.
            let asPositive = TextPattern(test: p.test, needle: p.needle, positive: true)
            if positives.contains(where: { $0.implies(asPositive) }) { return true }
        }
        for (k, a) in positives.enumerated() {
            for b in positives[(k + 1)...] where a.test == b.test && a.test != .contains {
                if !a.implies(b) && !b.implies(a) { return true }
            }
        }
        return false
    }

    /// A text in the domain, when one is easy to find.
    var sample: String? {
        if !set.cofinite {
            return set.items.sorted().first { s in patterns.allSatisfy { $0.matches(s) } }
        }
        let positives = patterns.filter(\.positive)
        let prefix = positives.filter { $0.test == .startsWith }.map(\.needle).max { $0.count < $1.count } ?? ""
        let suffix = positives.filter { $0.test == .endsWith }.map(\.needle).max { $0.count < $1.count } ?? ""
        let middle = positives.filter { $0.test == .contains }.map(\.needle).joined()
        for filler in ["", "x", "example", "other text"] {
            let candidate = prefix + middle + filler + suffix
            if set.contains(candidate) && patterns.allSatisfy({ $0.matches(candidate) }) { return candidate }
        }
        return nil
    }

    func isSubset(of other: TextDomain) -> Bool {
        guard set.isSubset(of: other.set) else {
            if !set.cofinite { return set.items.filter { s in patterns.allSatisfy { $0.matches(s) } }.allSatisfy(other.contains) }
            return false
        }
        for p in other.patterns where !patterns.contains(p) && !patterns.contains(where: { $0.implies(p) }) {
            if set.cofinite { return false }
            if !set.items.filter({ s in patterns.allSatisfy { $0.matches(s) } }).allSatisfy(p.matches) { return false }
        }
        return true
    }

    func contains(_ s: String) -> Bool { set.contains(s) && patterns.allSatisfy { $0.matches(s) } }
}

extension TextDomain {
    func valuesEmptyOrSubset(of other: TextDomain) -> Bool {
        (!set.cofinite && sample == nil) || isSubset(of: other)
    }
}
