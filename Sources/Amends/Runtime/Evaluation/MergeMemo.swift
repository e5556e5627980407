/// A MergeMemo is a cache around the `Merger`: for each set of fired rules
/// an evaluator has seen, the merged result it gave (the contributions and
/// the merged results, deadlines relative to the record's clock). Records
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
/// contributions and results, and a larger result is not kept.
///
/// It is a struct of pointers, so that using it touches no reference
/// count; its owner (an evaluator) frees it (`deallocate`).
struct MergeMemo {
    static let entries = 1024
    /// Records an evaluator evaluates before it makes its memo.
    static let warmUp = 64
    static let maxContributions = 24
    static let maxResults = 12

    /// How much of an entry is used, and whether it is.
    struct Counts {
        var valid = false
        var contributions: UInt8 = 0
        var results: UInt8 = 0
    }

    /// The set of fired rules each entry holds the result of.
    let sets: UnsafeMutablePointer<UInt64>
    /// Which result each entry holds: a number given by `remember`, never
    /// the same twice, so that what is kept about an entry's result
    /// elsewhere (`ActionTemplates`) can tell it is still that result.
    let versions: UnsafeMutablePointer<UInt64>
    let remembered: UnsafeMutablePointer<UInt64>
    let counts: UnsafeMutablePointer<Counts>
    let contributions: UnsafeMutablePointer<Contribution>
    let results: UnsafeMutablePointer<MergedResult>

    init() {
        let n = MergeMemo.entries
        sets = .buffer(n, 0)
        versions = .buffer(n, 0)
        remembered = .buffer(1, 0)
        counts = .buffer(n, Counts())
        contributions = .buffer(n * MergeMemo.maxContributions, Contribution(action: 0, due: 0, next: -1))
        results = .buffer(n * MergeMemo.maxResults, MergedResult(key: 0, head: -1, winner: -1, components: 0, remedies: 0))
    }

    func deallocate() {
        sets.deallocate()
        versions.deallocate()
        remembered.deallocate()
        counts.deallocate()
        contributions.deallocate()
        results.deallocate()
    }

    /// The entry a set goes to.
    @inline(__always)
    static func entry(_ set: UInt64) -> Int {
        Int(truncatingIfNeeded: (set &* 0x9E37_79B9_7F4A_7C15) >> 54) & (entries - 1)
    }

    /// Clocks this far from 1970 either way (past year 30,000) are not
    /// remembered, so relative deadlines cannot overflow.
    static let clockLimit: Int64 = 1 << 40

    /// The remembered result for the set of fired rules, if there is one:
    /// its entry, and where its contributions and results are.
    @inline(__always)
    func recall(_ set: UInt64) -> (entry: Int, contributions: UnsafeMutablePointer<Contribution>,
                                    results: UnsafeMutablePointer<MergedResult>, counts: Counts)? {
        let e = MergeMemo.entry(set)
        let n = counts[e]
        guard n.valid && sets[e] == set else { return nil }
        // INVARIANT: an entry's counts are within its capacities (`remember`).
        return (e, contributions + e * MergeMemo.maxContributions, results + e * MergeMemo.maxResults, n)
    }

    /// Remembers what `merger` just merged for the set of fired rules, when
    /// it holds for any clock and fits an entry.
    func remember(_ merger: Merger, _ set: UInt64) {
        guard merger.waivedKinds == 0, !merger.businessTime,
              merger.contributionCount <= MergeMemo.maxContributions, merger.resultCount <= MergeMemo.maxResults else { return }
        let e = MergeMemo.entry(set)
        (contributions + e * MergeMemo.maxContributions).update(from: merger.contributions, count: merger.contributionCount)
        (results + e * MergeMemo.maxResults).update(from: merger.results, count: merger.resultCount)
        sets[e] = set
        remembered.pointee &+= 1
        versions[e] = remembered.pointee
        counts[e] = Counts(valid: true, contributions: UInt8(merger.contributionCount), results: UInt8(merger.resultCount))
    }
}
