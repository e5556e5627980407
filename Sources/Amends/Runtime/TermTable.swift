/// A TermTable finds which terms of a program's `when` rules hold for a
/// record's leaf bits, a byte of leaf bits at a time: for byte `k` of the
/// leaf bits and each of its 256 values, the terms that value allows (those
/// whose needed bits in that byte are what they want). The terms that hold
/// are those every byte allows: per byte, one look-up and one `and` for
/// each 64 terms, whatever the number of leaves in a term, instead of a
/// test for each word of each term.
///
///     leaves 0-7: 0b0000_0101 -> terms {0, 2, 5}; leaves 8-15: 0b1 -> terms {2, 3}
///     terms that hold: {2}
///
/// Terms are in rule order, so the rules whose terms hold come out in file
/// order. The table has `bytes x 256 x termWords` words; a program for
/// which that is more than `maxWords` keeps testing term by term
/// (`ConditionCode.matchAll`). Made once per program, and only read after
/// that, by any thread (the terms found go into each evaluator's own
/// scratch).
final class TermTable: @unchecked Sendable {
    /// Rows of `termWords` masks: row `k * 256 + v` for value `v` of
    /// leaf byte `k`.
    let masks: UnsafeMutablePointer<UInt64>
    let byteCount: Int
    let termWords: Int
    /// The rule position (among the `when` rules) of each term.
    let positions: UnsafeMutablePointer<Int32>

    /// At most 4 MiB of masks (e.g. 1,300 terms over 192 leaves is 1 MiB).
    static let maxWords = 1 << 19

    /// The table of `code`'s terms over `leafCount` leaves, or nil when it
    /// would be larger than `maxWords`.
    init?(_ code: ConditionCode, leafCount: Int) {
        // The size first, so that a program too large costs nothing here.
        let termCount = code.terms.reduce(0) { $1.endsTerm ? $0 + 1 : $0 }
        let bytes = max(1, (leafCount + 7) / 8)
        let words = max(1, (termCount + 63) / 64)
        guard bytes <= TermTable.maxWords / 256 / words else { return nil }
        // Each term's words, and its rule's position.
        var terms: [[TermWord]] = []
        var rulePositions: [Int32] = []
        var current: [TermWord] = []
        var rule: Int32 = 0
        for w in code.terms {
            current.append(w)
            if w.endsTerm {
                terms.append(current)
                rulePositions.append(rule)
                current = []
            }
            if w.endsRule { rule += 1 }
        }
        byteCount = bytes
        termWords = words
        masks = UnsafeMutablePointer<UInt64>.allocate(capacity: bytes * 256 * words)
        masks.initialize(repeating: 0, count: bytes * 256 * words)
        positions = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, terms.count))
        positions.initialize(repeating: 0, count: max(1, terms.count))

        // Every value of a byte a term asks nothing of allows it: such
        // terms are the same for all 256 rows of that byte.
        var free = [UInt64](repeating: 0, count: bytes * words)
        var needs = [[(byte: Int, need: UInt64, want: UInt64)]](repeating: [], count: terms.count)
        for (t, term) in terms.enumerated() {
            positions[t] = rulePositions[t]
            let bit: UInt64 = 1 << UInt64(t & 63)
            // A term that wants a bit it does not need never holds.
            guard term.allSatisfy({ $0.want & ~$0.need == 0 }) else { continue }
            var asked = [Bool](repeating: false, count: bytes)
            for w in term {
                for b in 0..<8 {
                    let k = Int(w.word) * 8 + b
                    let need = (w.need >> UInt64(8 * b)) & 0xFF
                    guard need != 0 else { continue }
                    // INVARIANT: term words index the leaf bits the program
                    // has, so `k` is within `bytes`.
                    guard k < bytes else { continue }
                    asked[k] = true
                    needs[t].append((k, need, (w.want >> UInt64(8 * b)) & 0xFF))
                }
            }
            for k in 0..<bytes where !asked[k] { free[k * words + (t >> 6)] |= bit }
        }
        for k in 0..<bytes {
            for v in 0..<256 {
                let row = masks + (k * 256 + v) * words
                for w in 0..<words { row[w] = free[k * words + w] }
            }
        }
        for t in terms.indices {
            let bit: UInt64 = 1 << UInt64(t & 63)
            for n in needs[t] {
                for v in 0..<256 where UInt64(v) & n.need == n.want {
                    masks[(n.byte * 256 + v) * words + (t >> 6)] |= bit
                }
            }
        }
    }

    deinit {
        masks.deallocate()
        positions.deallocate()
    }

    /// The terms that hold for `bits` (`byteCount` bytes of leaf bits),
    /// into `holding` (`termWords` words).
    @inline(__always)
    func findHolding(_ bits: UnsafeMutablePointer<UInt64>, into holding: UnsafeMutablePointer<UInt64>) {
        let words = termWords
        holding.update(repeating: .max, count: words)
        let bytes = UnsafeRawPointer(bits)
        for k in 0..<byteCount {
            let v = Int(bytes.load(fromByteOffset: k, as: UInt8.self))
            let row = masks + (k * 256 + v) * words
            for w in 0..<words { holding[w] &= row[w] }
        }
    }

    /// The set of rules, by position, that one word of leaf bits fires
    /// (for programs of at most 64 `when` rules and 64 terms).
    @inline(__always)
    func firing(_ bits: UInt64) -> UInt64 {
        var holding = UInt64.max
        var row = masks
        var b = bits
        for _ in 0..<byteCount {
            holding &= row[Int(b & 0xFF)]
            b >>= 8
            row += 256
        }
        var set: UInt64 = 0
        while holding != 0 {
            set |= 1 << UInt64(positions[holding.trailingZeroBitCount] & 63)
            holding &= holding &- 1
        }
        return set
    }

    /// Lists in `fired` the rules whose terms hold for `bits`, in file
    /// order, as `whenRuleIndexes` gives them (`holding`: scratch of
    /// `termWords` words); returns how many, and the set of the first 64
    /// by position.
    func fire(_ bits: UnsafeMutablePointer<UInt64>, holding: UnsafeMutablePointer<UInt64>,
              whenRuleIndexes: UnsafeMutablePointer<Int32>, into fired: UnsafeMutablePointer<Int32>) -> (count: Int, set: UInt64) {
        findHolding(bits, into: holding)
        var n = 0
        var set: UInt64 = 0
        var last: Int32 = -1
        for w in 0..<termWords {
            var rest = holding[w]
            while rest != 0 {
                // INVARIANT: a term's position is that of a `when` rule.
                let position = positions[w * 64 + rest.trailingZeroBitCount]
                if position != last {
                    fired[n] = whenRuleIndexes[Int(position)]
                    n += 1
                    if position < 64 { set |= 1 << UInt64(position) }
                    last = position
                }
                rest &= rest &- 1
            }
        }
        return (n, set)
    }
}
