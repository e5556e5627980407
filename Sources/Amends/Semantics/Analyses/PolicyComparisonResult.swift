/// What `amends diff OLD NEW` without records answers: each way two
/// policies treat an incident differently, with its witness incident
/// (PolicyComparison.swift does the comparing).

// MARK: - Results

/// A Witness is one incident two policies treat differently: its field
/// values by name, and the time it is looked at (when `age` matters).
public struct Witness: Sendable {
    /// Field names (as the policy declares them) and values as a policy
    /// writes them (`high`, `"text"`, `2026-03-02T09:00:00Z`); nil: missing.
    public var fields: [(name: String, value: String?, json: String)]
    /// The `now` of the witness, ISO 8601, when the policies test `age`.
    public var now: String?
    /// Fields the new policy reads differently from the old (declared apart): name and the new value.
    public var newValues: [(name: String, value: String?)]

    /// `given {severity: high, tier: premium}`, to paste into an `example`.
    public var given: String {
        "given {" + fields.compactMap { f in f.value.map { "\(Witness.key(f.name)): \($0)" } }.joined(separator: ", ") + "}"
    }

    /// The incident as a JSON object, keys the field names (dotted names nested).
    public var json: String {
        var tree = WitnessObject()
        for f in fields { tree.insert(f.name.split(separator: ".").map(String.init), f.json) }
        return tree.text
    }

    static func key(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        return plain ? name : SExpr.quote(name)
    }
}

/// Nested JSON objects, keys in the order first given.
struct WitnessObject {
    var keys: [String] = []
    var leaves: [String: String] = [:]
    var children: [String: WitnessObject] = [:]

    mutating func insert(_ path: [String], _ json: String) {
        guard let head = path.first else { return }
        if !keys.contains(head) { keys.append(head) }
        if path.count == 1 {
            leaves[head] = json
        } else {
            var child = children[head] ?? WitnessObject()
            child.insert(Array(path.dropFirst()), json)
            children[head] = child
        }
    }

    var text: String {
        "{" + keys.map { k in
            var j = JSONBytes()
            j.string(k)
            return String(decoding: j.bytes, as: UTF8.self) + ": " + (children[k]?.text ?? leaves[k] ?? "null")
        }.joined(separator: ", ") + "}"
    }
}

/// A Difference is one distinct way incidents are treated differently,
/// with the incident that shows it.
public struct PolicyDifference: Sendable {
    public var change: ActionChange
    public var witness: Witness
}

/// The answer of a comparison without records.
public struct PolicyComparisonResult: Sendable {
    public enum Verdict: String, Sendable {
        /// No incident is treated differently: proved.
        case same
        /// Some incident is treated differently (`differences` has each way).
        case differs
        /// No difference found, but not proved either (`undecided` says why).
        case undecided
    }

    public var verdict: Verdict
    public var differences: [PolicyDifference]
    /// Why some questions went unanswered (the budget, an approximation).
    public var undecided: [String]
    /// How the record declarations differ (fields added, removed, declared apart).
    public var notes: [String]
    /// Solver steps taken, questions asked, and the budget.
    public var steps: Int
    public var questions: Int
    public var budget: Int
}
