import Amends

/// `run --explain`: a short account after each result of which rules fired.
enum RunExplain {
    static func annotate(_ evaluator: Evaluator, _ record: RecordBuffer) -> [UInt8] {
        let outcome = evaluator.outcome()
        var text = "  fired: " + (outcome.fired.isEmpty ? "no rule" : outcome.fired.map(\.description).joined(separator: "; ")) + "\n"
        for w in outcome.waived where !w.dropped.isEmpty {
            text += "  waived \(w.kind.rawValue) by \(w.by.map(\.description).joined(separator: "; "))\n"
        }
        return Array(text.utf8)
    }
}
