/// What a policy requires for one incident, as the reference evaluator
/// states it (`ReferenceEvaluator`): plain values, compared field by field
/// with the fast path's `Outcome` and with the line `amends run` writes.
///
/// These types are the reference's own, not `Outcome`'s, so that a change
/// to the fast path's types cannot change what the reference says.
public struct ReferenceResult: Sendable, Equatable {
    /// A Cite names a rule: its position among the policy's rules (file
    /// order, `use`d files' rules at the place of the `use`), its file, the
    /// line of its header and its name.
    public struct Cite: Sendable, Hashable, CustomStringConvertible {
        public var index: Int
        public var file: String
        public var line: Int
        public var name: String?

        public var description: String {
            "\(file):\(line)" + (name.map { " \(SExpr.quote($0))" } ?? "")
        }
    }

    /// A Loser is a rule that asked for a result and lost (Grammar.md §7.4,
    /// "the rules whose own deadline (or, for assign, role) lost").
    public struct Loser: Sendable, Equatable {
        public var rule: Cite
        /// The rule's own deadline, and the duration it came from.
        public var due: Int64?
        public var within: DurationSpec?
        /// The rule's own role, for `assign`.
        public var role: String?
    }

    /// An Action is one merged result.
    public struct Action: Sendable, Equatable {
        public var kind: ActionKindName
        /// notify, escalate and assign.
        public var role: String?
        /// apology, in speaking order.
        public var components: [ApologyComponent] = []
        /// offer, in declaration order.
        public var remedies: [String] = []
        /// task.
        public var text: String?
        /// respond, apology and follow up, when one applies.
        public var channel: String?
        /// The winning deadline (seconds since the epoch) and its duration.
        public var due: Int64?
        public var within: DurationSpec?
        /// Every rule that asked for it, once each, in file order.
        public var because: [Cite] = []
        /// The rules whose own deadline or role lost, once each, in file order.
        public var overridden: [Loser] = []

        public init(kind: ActionKindName) { self.kind = kind }
    }

    /// A Waived is one kind a `waive` removed.
    public struct Waived: Sendable, Equatable {
        public var kind: ActionKindName
        /// The fired rules that say `waive KIND`, in file order.
        public var by: [Cite]
        /// The fired rules whose actions of that kind were removed, in file order.
        public var dropped: [Cite]
    }

    /// The rules that fired, in file order.
    public var fired: [Cite]
    /// The time deadlines counted from.
    public var base: Int64
    /// The merged results, in the printing order of Grammar.md §7.
    public var actions: [Action]
    /// What `waive` removed, in the same order of kinds.
    public var waived: [Waived]
}
