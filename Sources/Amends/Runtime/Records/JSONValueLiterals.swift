/// JSONValues written as Swift literals, so that a program embedding
/// Amends can give a record as a dictionary:
///
///     let outcome = try policy.evaluate(["severity": "high", "repeat": 2,
///                                        "customer": ["name": "Ada"]], now: now)
///
/// A dictionary literal keeps its order; an integer becomes a number; a
/// JSON `null` is written `.null` (a `nil` literal means "no value" to Swift).
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }

    /// An object with the dictionary's members, in key order (a Swift
    /// dictionary has no order of its own; this keeps evaluation
    /// deterministic).
    public init(_ members: [String: JSONValue]) {
        self = .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
    }
}
