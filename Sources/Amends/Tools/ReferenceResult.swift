/// What a policy requires for one incident, as the reference evaluator
/// states it (`ReferenceEvaluator`): plain values, compared field by field
/// with the fast path's `Outcome` and with the line `amends run` writes.
///
/// These types are the reference's own, not `Outcome`'s, so that a change
/// to the fast path's types cannot change what the reference says.
package struct ReferenceResult: Sendable, Equatable {
    /// A Cite names a rule: its position among the policy's rules (file
    /// order, `use`d files' rules at the place of the `use`), its file, the
    /// line of its header and its name.
    package struct Cite: Sendable, Hashable, CustomStringConvertible {
        package var index: Int
        package var file: String
        package var line: Int
        package var name: String?

        package var description: String {
            "\(file):\(line)" + (name.map { " \(SExpr.quote($0))" } ?? "")
        }
    }

    /// A Loser is a rule that asked for a result and lost (Grammar.md §7.4,
    /// "the rules whose own deadline (or, for assign, role) lost").
    package struct Loser: Sendable, Equatable {
        package var rule: Cite
        /// The rule's own deadline, and the duration it came from.
        package var due: Int64?
        package var within: DurationSpec?
        /// The rule's own role, for `assign`.
        package var role: String?
    }

    /// An Action is one merged result.
    package struct Action: Sendable, Equatable {
        package var kind: ActionKindName
        /// notify, escalate and assign.
        package var role: String?
        /// apology, in speaking order.
        package var components: [ApologyComponent] = []
        /// offer, in declaration order.
        package var remedies: [String] = []
        /// task.
        package var text: String?
        /// respond, apology and follow up, when one applies.
        package var channel: String?
        /// The winning deadline (seconds since the epoch) and its duration.
        package var due: Int64?
        package var within: DurationSpec?
        /// Every rule that asked for it, once each, in file order.
        package var because: [Cite] = []
        /// The rules whose own deadline or role lost, once each, in file order.
        package var overridden: [Loser] = []
        /// Where it stands at `now`, when the policy tracks progress (§8).
        package var progress: Standing?

        package init(kind: ActionKindName) { self.kind = kind }
    }

    /// A Waived is one kind a `waive` removed.
    package struct Waived: Sendable, Equatable {
        package var kind: ActionKindName
        /// The fired rules that say `waive KIND`, in file order.
        package var by: [Cite]
        /// The fired rules whose actions of that kind were removed, in file order.
        package var dropped: [Cite]
    }

    /// The rules that fired, in file order.
    package var fired: [Cite]
    /// The time deadlines counted from.
    package var base: Int64
    /// The merged results, in the printing order of Grammar.md §7.
    package var actions: [Action]
    /// What `waive` removed, in the same order of kinds.
    package var waived: [Waived]
    /// Evidence of actions done that were not required (§8, "Progress").
    package var unrequired: [Unrequired] = []

    /// A Standing is an action's progress, as the reference states it.
    package struct Standing: Sendable, Equatable {
        /// `overdue`, `open`, `on_time`, `late`, `done`, `not_tracked`.
        package var status: String
        package var doneAt: Int64?
        package var margin: Int64?
        package var business: Bool = false
        package var notes: [String] = []
    }

    /// Unrequired is one tracked action done, that the record did not require.
    package struct Unrequired: Sendable, Equatable {
        package var kind: ActionKindName
        package var role: String?
        package var text: String?
        package var field: String
        package var doneAt: Int64?
    }
}
