/// A Runbook is a policy written out for the staff who carry it out: what
/// `amends doc` prints. It is made from the policy alone: the decision table
/// (`DecisionTable`), every rule in words (`RunbookWords`), the calendar,
/// the glossary (with the policy's `##` doc comments, `DocComments`) and the
/// examples as worked cases. Every statement links to the line it comes from.
package enum Runbook {
    package struct Options: Sendable {
        /// Only what this role must do (`--audience`).
        package var audience: String?
        /// Prepended to the policy's file paths in links (`../../`).
        package var linkPrefix: String

        package init(audience: String? = nil, linkPrefix: String = "") {
            self.audience = audience
            self.linkPrefix = linkPrefix
        }
    }

    /// The runbook of a compiled policy without errors; nil when it has errors.
    package static func make(_ compiled: Driver.Compiled, options: Options = Options()) -> RunbookDocument? {
        guard let program = compiled.program else { return nil }
        var builder = RunbookBuilder(compiled: compiled, program: program, options: options)
        builder.build()
        return builder.document
    }
}

struct RunbookBuilder {
    let compiled: Driver.Compiled
    let program: Program
    let options: Options
    let model: PolicyModel
    let words: RunbookWords
    let docs: DocComments
    var document: RunbookDocument
    typealias Options = Runbook.Options

    init(compiled: Driver.Compiled, program: Program, options: Options) {
        self.compiled = compiled
        self.program = program
        self.options = options
        model = compiled.model
        words = RunbookWords(model: compiled.model)
        docs = DocComments(compiled.loaded)
        let mainPath = compiled.loaded.files.indices.contains(compiled.loaded.main)
            ? compiled.loaded.files[compiled.loaded.main].source.path : "policy"
        var title = model.name ?? mainPath
        if let role = options.audience { title += ": what the \(RunbookWords.human(role)) does" }
        document = RunbookDocument(title: title)
        document.linkPrefix = options.linkPrefix
        document.mainFile = mainPath
    }

    var mainSource: SourceText? {
        compiled.loaded.files.indices.contains(compiled.loaded.main) ? compiled.loaded.files[compiled.loaded.main].source : nil
    }

    mutating func add(_ block: Block) { document.blocks.append(block) }

    mutating func heading(_ level: Int, _ text: String) {
        add(.heading(level: level, text: text, id: anchorID(text)))
    }

    /// `1 row`, `30 rows`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func link(_ ref: SourceRef) -> Inline { .source(file: ref.file, line: ref.line) }

    /// Actions without a deadline first (who owns it, what to offer), then by
    /// the length of their deadline, business time counted as the same
    /// length of calendar time (the least it can take): the order to do
    /// them in, as near as the policy alone can say.
    static func soonestFirst(_ actions: [RequiredAction]) -> [RequiredAction] {
        func length(_ a: RequiredAction) -> Int64 {
            guard let d = a.within else { return -1 }
            return d.seconds ?? d.amount &* (d.unit == .businessDays ? 86_400 : 3_600)
        }
        return actions.enumerated().sorted { (length($0.element), $0.offset) < (length($1.element), $1.offset) }.map(\.element)
    }

    /// The rules that decided a merged action: those that asked for it,
    /// less those whose deadline (or owner) lost.
    static func deciding(_ action: RequiredAction) -> [RuleRef] {
        let lost = Set(action.overridden.map(\.rule))
        let kept = action.because.filter { !lost.contains($0) }
        return kept.isEmpty ? action.because : kept
    }

    // MARK: - The whole

    mutating func build() {
        intro()
        if let role = options.audience {
            roleSection(role)
            table()
        } else {
            table()
            situations()
            examples()
        }
        calendar()
        glossary()
    }

    mutating func intro() {
        let path = mainSource?.path ?? "the policy"
        if let policyItem = compiled.loaded.items.first(where: { if case .policyName = $0.item.kind { return true }; return false }),
           compiled.loaded.files.indices.contains(policyItem.file) {
            let source = compiled.loaded.files[policyItem.file].source
            let ref = SourceRef(source, policyItem.item.span)
            if let doc = docs.text(for: ref) { add(.paragraph([.text(doc + " "), Self.link(ref)])) }
        }
        add(.paragraph([.text("Made from "), .code(path), .text(" by "), .code("amends doc"),
                        .text(": do not edit it by hand. Each statement links to the line of the policy it comes from (\"line \(model.rules.first(where: { $0.file == path })?.line ?? 1)\" is a line of "),
                        .code(path), .text("), so you can check that the runbook says what the policy says.")]))
        var steps: [[Inline]] = [
            [.text("Find the incident's case in the "), .anchor("decision table", id: "decision-table"),
             .text(": read along the columns until every one matches the incident. When you do not know a detail yet (whose mistake it was, say), look at every row it could be and start on what they share; the rest follows once you know.")],
            options.audience == nil
                ? [.text("Do every action in that row, each by its deadline. The "), .anchor("situations", id: "situations"),
                   .text(" below say the same rule by rule, with the reasons.")]
                : [.text("Do what that row says, by its deadline.")],
        ]
        if let clock = model.clockField, model.fields.indices.contains(clock) {
            let field = model.fields[clock]
            steps.append([.text("Every deadline counts from "), .strong(words.field(clock)),
                          .text(" (\(SExpr.quote(field.key)) in the records)\(docs.text(for: field.declaration).map { ", " + $0 } ?? ""). "),
                          .text("Business hours and business days count only while we are open: see the "),
                          .anchor("calendar", id: "calendar"), .text(". "), Self.link(field.declaration)])
        } else {
            steps.append([.text("Every deadline counts from when the incident is logged.")])
        }
        if !model.marks.isEmpty || !model.defines.isEmpty {
            let names = MarkKind.allCases.filter { model.marks[$0] != nil }.map(\.rawValue) + model.defines.map { RunbookWords.human($0.name) }
            let quoted = names.map { "\"\($0)\"" }
            let said = quoted.count > 3 ? quoted.prefix(3).joined(separator: ", ") + " and others" : RunbookWords.list(quoted, "and")
            steps.append([.text("The policy's own words (\(said)) are explained under "), .anchor("Terms", id: "terms"), .text(".")])
        }
        heading(2, "How to use this runbook")
        add(.numbered(steps))
    }

    // MARK: - Decision table

    mutating func table() {
        heading(2, "Decision table")
        let table = DecisionTable(compiled, audience: options.audience)
        if let problem = table.problem {
            add(.paragraph([.text("No decision table: \(problem). The table has at most \(DecisionTable.maxRows) rows (from at most \(DecisionTable.maxCases) cases); find your case in the situations below instead.")]))
            return
        }
        add(.paragraph([.text("Every case of the incident's details that changes what must be done: \(Self.count(table.rows.count, "row")) from \(Self.count(table.caseCount, "case")) (at most \(DecisionTable.maxRows) rows are shown; past that, this table is left out and the \(options.audience == nil ? "situations below are" : "list above is") the guide). "
                              + "\"any\" means the column does not matter for that row. A row's actions are in the order of their deadlines (one in business time can fall later than its place when we are closed); each links to the rule that sets it.")]))
        var rows: [[[[Inline]]]] = []
        for (r, row) in table.rows.enumerated() {
            var cells: [[[Inline]]] = [[[.text("\(r + 1)")]]]
            for k in table.columnTitles.indices { cells.append([[.text(table.cellText(row: r, column: k))]]) }
            var actions: [[Inline]] = RunbookBuilder.soonestFirst(row.actions).map { action in
                var line: [Inline] = [.text(RunbookWords.short(action) + " ")]
                for (i, rule) in RunbookBuilder.deciding(action).enumerated() {
                    if i > 0 { line.append(.text(" ")) }
                    line.append(.source(file: rule.file, line: rule.line))
                }
                return line
            }
            for kind in row.waived { actions.append([.text("no \(RunbookWords.kindWord(kind)) (waived)")]) }
            if actions.isEmpty { actions = [[.text(options.audience == nil ? "nothing required" : "nothing for you")]] }
            cells.append(actions)
            rows.append(cells)
        }
        let what = options.audience.map { "what the \(RunbookWords.human($0)) must do" } ?? "required actions"
        add(.table(caption: "Cases and \(what)", header: ["case"] + table.columnTitles + ["what must happen"], rows: rows))
    }

    // MARK: - Situations

    mutating func situations() {
        heading(2, "Situations")
        add(.paragraph([.text("Every rule of the policy, in the policy's order. All the situations that apply to an incident apply together; when two ask for the same thing, the earliest deadline wins.")]))
        for rule in model.rules {
            heading(3, title(rule))
            if let doc = docs.text(for: rule.headerRef) ?? docs.text(for: rule.ref) { add(.paragraph([.text(doc)])) }
            if let condition = rule.condition {
                add(.paragraph([.strong("When:"), .text(" " + words.condition(condition) + ". "), Self.link(rule.headerRef)]))
            } else {
                add(.paragraph([.strong("When:"), .text(" no other situation applies (otherwise). "), Self.link(rule.headerRef)]))
            }
            var items: [[Inline]] = []
            for (k, action) in rule.actions.enumerated() {
                var line: [Inline] = [.text(words.action(action) + " ")]
                if case .waive = action {
                    line.append(.text("Why: " + (docs.text(for: rule.headerRef) ?? rule.name ?? "the situation above") + ". "))
                }
                if rule.actionRefs.indices.contains(k) { line.append(Self.link(rule.actionRefs[k])) }
                items.append(line)
            }
            add(.paragraph([.strong("What must happen:")]))
            add(.bullets(items))
        }
    }

    func title(_ rule: RuleModel) -> String {
        if let name = rule.name { return name.prefix(1).uppercased() + name.dropFirst() }
        return rule.isOtherwise ? "Otherwise (line \(rule.line))" : "The rule at line \(rule.line)"
    }

    // MARK: - One role

    mutating func roleSection(_ role: String) {
        heading(2, "What you must do")
        var items: [[Inline]] = []
        for rule in model.rules {
            for (k, action) in rule.actions.enumerated() {
                let said: String
                switch action {
                case .notify(let r, let d) where model.roles.indices.contains(r) && model.roles[r] == role:
                    said = "you are told" + words.within(d)
                case .escalate(let r, let d) where model.roles.indices.contains(r) && model.roles[r] == role:
                    said = "the incident is escalated to you; take it up" + words.within(d)
                case .assign(let r) where model.roles.indices.contains(r) && model.roles[r] == role:
                    said = "you own the recovery (unless an earlier rule assigns someone else)"
                default: continue
                }
                let when = rule.condition.map { words.condition($0) } ?? "no other situation applies"
                var line: [Inline] = [.strong(title(rule)), .text(": when \(when), \(said). ")]
                if rule.actionRefs.indices.contains(k) { line.append(Self.link(rule.actionRefs[k])) }
                items.append(line)
            }
        }
        if items.isEmpty { items = [[.text("Nothing: no rule names the \(RunbookWords.human(role)).")]] }
        add(.bullets(items))
    }
}
