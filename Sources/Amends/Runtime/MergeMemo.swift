/// A MergeMemo remembers, for each set of fired rules an evaluator has
/// seen, the merged result it gave: the contributions and each result
/// key's state, with deadlines relative to the record's clock. Records
/// that fire the same rules require the same actions, so the next record
/// that fires that set is given that result, read where it is with its
/// own clock added to the deadlines, instead of merging again. (Many patterns
/// of tests give one set of fired rules: a set is the better key.)
///
/// Only results that do not depend on the clock beyond that are kept: no
/// business-time deadline (where the clock decides which deadline is
/// earliest) and no waiver. The program has at most 64 `when` rules, so a
/// set is one word. The table is direct-mapped: a set goes to one entry,
/// replacing what was there; each entry holds at most a fixed number of
/// contributions and keys, and a larger result is not kept.
///
/// It is a struct of pointers, so that using it touches no reference
/// count; its owner (an evaluator) frees it (`deallocate`).
struct MergeMemo {
    static let entries = 1024
    /// Records an evaluator evaluates before it makes its memo.
    static let warmUp = 64
    static let maxContributions = 24
    static let maxKeys = 12

    /// How much of an entry is used, and whether it is.
    struct Counts {
        var valid = false
        var contributions: UInt8 = 0
        var keys: UInt8 = 0
    }

    /// The set of fired rules each entry holds the result of.
    let sets: UnsafeMutablePointer<UInt64>
    /// Which result each entry holds: a number given by `remember`, never
    /// the same twice, so that what is kept about an entry's result
    /// elsewhere (`ActionTemplates`) can tell it is still that result.
    let versions: UnsafeMutablePointer<UInt64>
    let remembered: UnsafeMutablePointer<UInt64>
    let counts: UnsafeMutablePointer<Counts>
    /// As the evaluator's, deadlines relative to the clock (Int64.max: none).
    let contributions: UnsafeMutablePointer<Evaluator.Contribution>
    let keyIndexes: UnsafeMutablePointer<Int32>
    let keyStates: UnsafeMutablePointer<KeyState>

    init() {
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: count)
            p.initialize(repeating: value, count: count)
            return p
        }
        let n = MergeMemo.entries
        sets = buffer(n, 0)
        versions = buffer(n, 0)
        remembered = buffer(1, 0)
        counts = buffer(n, Counts())
        contributions = buffer(n * MergeMemo.maxContributions, Evaluator.Contribution(action: 0, due: 0, next: -1))
        keyIndexes = buffer(n * MergeMemo.maxKeys, 0)
        keyStates = buffer(n * MergeMemo.maxKeys, KeyState(stamp: 0, head: -1, tail: -1, winner: -1, winnerDue: 0, remedies: 0, components: 0))
    }

    func deallocate() {
        sets.deallocate()
        versions.deallocate()
        remembered.deallocate()
        counts.deallocate()
        contributions.deallocate()
        keyIndexes.deallocate()
        keyStates.deallocate()
    }

    /// The entry a set goes to.
    @inline(__always)
    static func entry(_ set: UInt64) -> Int {
        Int(truncatingIfNeeded: (set &* 0x9E37_79B9_7F4A_7C15) >> 54) & (entries - 1)
    }

    /// Relative to `base`, and back; no deadline stays none.
    @inline(__always)
    static func relative(_ due: Int64, _ base: Int64) -> Int64 { due == Int64.max ? due : due &- base }
    @inline(__always)
    static func absolute(_ due: Int64, _ base: Int64) -> Int64 { due == Int64.max ? due : base &+ due }

    /// Clocks this far from 1970 either way (past year 30,000) are not
    /// remembered, so relative deadlines cannot overflow.
    static let clockLimit: Int64 = 1 << 40
}

extension Evaluator {
    /// Gives the evaluator the remembered result for the set of fired
    /// rules, if there is one; true when it did. The contributions are
    /// read where they are (`result`); the keys' states are copied in when
    /// first read (`settle`), since a writer that kept how it wrote this
    /// result reads none of them.
    func recall(_ memo: MergeMemo, _ set: UInt64) -> Bool {
        let e = MergeMemo.entry(set)
        let n = memo.counts[e]
        guard n.valid && memo.sets[e] == set else { return false }
        nextGeneration()
        if waivedMask != 0 { clearWaivers() }
        // INVARIANT: an entry's counts are within its capacities (`remember`).
        result = memo.contributions + e * MergeMemo.maxContributions
        recalled = Recalled(entry: e, version: memo.versions[e])
        contributionCount = Int(n.contributions)
        activeCount = Int(n.keys)
        keysSettled = false
        return true
    }

    /// Copies in the keys' states of the result recalled last, if not yet
    /// done.
    @inline(__always)
    func settle() {
        if !keysSettled { settleKeys() }
    }

    func settleKeys() {
        keysSettled = true
        guard let memo, let e = recalled?.entry else { return }
        let gen = generation
        let indexes = memo.keyIndexes + e * MergeMemo.maxKeys
        let states = memo.keyStates + e * MergeMemo.maxKeys
        for i in 0..<activeCount {
            let k = indexes[i]
            keys[Int(k)] = states[i]
            keys[Int(k)].stamp = gen
            active[i] = k
        }
    }

    /// Remembers the result just merged for the set of fired rules, when
    /// it can be (`MergeMemo`'s conditions). Its deadlines are already
    /// relative to the clock (`Contribution.due`).
    func remember(_ memo: MergeMemo, _ set: UInt64) {
        guard waivedMask == 0, !mergedBusinessTime,
              contributionCount <= MergeMemo.maxContributions, activeCount <= MergeMemo.maxKeys else { return }
        let e = MergeMemo.entry(set)
        (memo.contributions + e * MergeMemo.maxContributions).update(from: contributions, count: contributionCount)
        let indexes = memo.keyIndexes + e * MergeMemo.maxKeys
        let states = memo.keyStates + e * MergeMemo.maxKeys
        for i in 0..<activeCount {
            let k = active[i]
            indexes[i] = k
            states[i] = keys[Int(k)]
        }
        memo.sets[e] = set
        memo.remembered.pointee &+= 1
        memo.versions[e] = memo.remembered.pointee
        memo.counts[e] = MergeMemo.Counts(valid: true, contributions: UInt8(contributionCount), keys: UInt8(activeCount))
    }
}
