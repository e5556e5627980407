/// ReferenceHistory states history (Grammar.md §5, History) plainly, over
/// a whole input at once, for the tests to hold `HistoryTracker` to:
///
/// - a record reads history when it has a key (`history by`) and a clock
///   time, and only then is it history for the records after it;
/// - an earlier incident is a record before it in the input with the same
///   key (texts by their bytes, other values as conditions compare them);
/// - of those, a term counts the ones whose time is at most its window
///   before the record's and not after it (`t - window <= time <= t`), for
///   which its filter holds, and that are not forgotten: at most the
///   longest window of the policy before the latest time of the input up
///   to this record;
/// - `earlier` is how many; `since last` is the record's time minus the
///   latest of their times, missing when there are none.
package enum ReferenceHistory {
    package static func values(_ records: [RecordBuffer], model: PolicyModel) -> [[Double?]] {
        let interpreter = ReferenceInterpreter(model: model)
        let longest = model.longestHistoryWindow
        guard let keyField = model.historyKey, let clock = model.clockField else {
            return records.map { _ in model.historyTerms.map { _ in nil } }
        }
        func reads(_ r: RecordBuffer) -> Bool { r.isPresent(keyField) && r.isPresent(clock) }
        func time(_ r: RecordBuffer) -> Int64 { ReferenceInterpreter.whole(r.scalar(clock)) }
        func sameKey(_ a: RecordBuffer, _ b: RecordBuffer) -> Bool {
            model.fields[keyField].type == .text ? Array(a.text(keyField)) == Array(b.text(keyField))
                                                 : a.scalar(keyField) == b.scalar(keyField)
        }
        var out: [[Double?]] = []
        var latest = Int64.min
        for (i, r) in records.enumerated() {
            guard reads(r) else {
                out.append(model.historyTerms.map { _ in nil })
                continue
            }
            let t = time(r)
            latest = max(latest, t)
            let earlier = records[..<i].filter { reads($0) && sameKey($0, r) && time($0) >= latest - longest }
            out.append(model.historyTerms.map { term in
                let picked = earlier.filter { e in
                    t - term.window <= time(e) && time(e) <= t
                        && (term.filter.map { interpreter.holds(model.historyFilters[$0], in: e) } ?? true)
                }
                switch term.measure {
                case .count: return Double(picked.count)
                case .sinceLast: return picked.map { Double(t - time($0)) }.min()
                }
            })
        }
        return out
    }
}
