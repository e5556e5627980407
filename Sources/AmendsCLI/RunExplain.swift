import Amends

/// `run --explain`: after each result, the explainer's account of the record:
/// every rule, fired or not and why, and how each deadline was computed.
enum RunExplain {
    static func annotate(_ evaluator: Evaluator, _ record: RecordBuffer) -> [UInt8] {
        let explanation = Explainer.explain(program: evaluator.program, record: record)
        var text = explanation.text
        if !text.hasSuffix("\n") { text += "\n" }
        return Array(text.utf8)
    }
}
