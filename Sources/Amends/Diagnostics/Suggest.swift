/// Did-you-mean suggestions: the closest candidate by edit distance, when it
/// is close enough to be a likely typo.
package enum Suggest {
    /// The candidate nearest to `word`, or nil when none is plausibly meant.
    ///
    /// Distance is Damerau-Levenshtein (a swap of two neighbours counts one),
    /// case-insensitive; a candidate qualifies within a third of the word's
    /// length (at least 1, at most 3). A candidate that differs only in
    /// letter case (`When` for `when`, `Moderate` for `moderate`) is the
    /// nearest of all; the word itself is never suggested. Ties go to the
    /// earlier candidate, so the caller's order (declaration order) decides.
    package static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        let w = Array(word.lowercased().unicodeScalars)
        guard !w.isEmpty, w.count <= 64 else { return nil }
        let limit = min(3, max(1, w.count / 3))
        var best: String?
        var bestDistance = Int.max
        for candidate in candidates {
            let c = Array(candidate.lowercased().unicodeScalars)
            if c == w {
                if candidate != word && bestDistance > 0 {
                    best = candidate
                    bestDistance = 0
                }
                continue
            }
            if abs(c.count - w.count) > limit || c.count > 64 { continue }
            let d = distance(w, c)
            if d <= limit && d < bestDistance {
                best = candidate
                bestDistance = d
            }
        }
        return best
    }

    /// Optimal-string-alignment distance between two scalar arrays.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var d = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in 0...a.count { d[i * width] = i }
        for j in 0...b.count { d[j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = min(v, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = v
            }
        }
        return d[a.count * width + b.count]
    }

    /// "did you mean `x`?" or nil.
    package static func didYouMean<S: Sequence>(_ word: String, in candidates: S) -> String? where S.Element == String {
        closest(to: word, in: candidates).map { "did you mean `\($0)`?" }
    }
}
