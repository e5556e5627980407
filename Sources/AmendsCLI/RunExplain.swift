import Amends

/// `run --explain`: the explainer's account of each record: every rule,
/// fired or not and why, and how each deadline was computed. In text format
/// it follows the record's result; in JSON format it is the `explain`
/// member of the record's line, as `amends explain --format json` gives it
/// but on one line.
enum RunExplain {
    static func annotate(_ program: Program, _ record: RecordBuffer, format: Runner.Format) -> [UInt8] {
        let explanation = Explainer.explain(program: program, record: record)
        switch format {
        case .json:
            return Array(explanation.jsonTree.compact().utf8)
        case .text:
            var text = explanation.text
            if !text.hasSuffix("\n") { text += "\n" }
            return Array(("\n" + text + "\n").utf8)
        }
    }
}
