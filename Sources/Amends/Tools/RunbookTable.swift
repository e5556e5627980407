/// The decision table of a runbook: the cases of a policy's inputs that lead
/// to different required actions, each with its merged actions.
///
/// Built as the analyses see the policy: every `when` condition is lowered
/// to a formula (defines inlined), and each variable it tests (a field,
/// `age`, a list's `contains`) has its values cut into the cells that every
/// test on it treats alike: `severity >= high` and `severity = critical`
/// cut a severity into {low, medium}, {high}, {critical}. Every combination
/// of cells is one case; the compiled policy runs on a concrete incident
/// from each (exactly what `run` would give), and cases that require the
/// same actions are merged, one column at a time, while they differ in one
/// column only. Columns that every row leaves open are dropped.
///
/// Limits: at most `maxCases` combinations are run and at most `maxRows`
/// rows shown; past either, the table is not made (`problem` says why) and
/// the runbook sends the reader to the per-rule sections.
package struct DecisionTable: Sendable {
    package static let maxCases = 4096
    package static let maxRows = 200

    /// One column: a variable, its cells.
    struct Column: Sendable {
        var variable: Variable
        var title: String
        var cells: [Constraint]
        /// For a `contains` column, the list field and the item.
        var listItem: (field: Int, value: Value)?
        /// One test of a text field (`issue contains "fraud"`): its cells
        /// are yes and no, and the field's value meets every such column.
        var textTest = false
    }

    /// One row: the cells it covers in each column, and what it requires.
    package struct Row: Sendable {
        var cells: [Set<Int>]
        package var actions: [RequiredAction]
        package var waived: [ActionKindName]
        /// The cases merged into this row.
        package var cases: Int
    }

    var columns: [Column] = []
    package var rows: [Row] = []
    /// Why there is no table, when there is none.
    package var problem: String?
    /// How many cases were run.
    package var caseCount = 0
    let model: PolicyModel

    package var columnTitles: [String] { columns.map(\.title) }

    /// The table for a compiled policy without errors: with `audience`, only
    /// that role's actions; `rowLimit` is `maxRows` but for tests.
    package init(_ compiled: Driver.Compiled, audience role: String? = nil, rowLimit: Int = DecisionTable.maxRows) {
        model = compiled.model
        guard let program = compiled.program else {
            problem = "the policy has errors"
            return
        }
        let context = AnalysisContext(compiled: compiled, program: program)
        var literals: [Variable: [Constraint]] = [:]
        var order: [Variable] = []
        for r in context.whenRules {
            context.conditions[r]?.collectLiterals { literal in
                if literals[literal.variable] == nil { order.append(literal.variable) }
                if !(literals[literal.variable] ?? []).contains(literal.constraint) {
                    literals[literal.variable, default: []].append(literal.constraint)
                }
            }
        }
        let words = RunbookWords(model: model)
        // Columns in the order the record declares its fields, then age, then `contains` tests.
        func rank(_ v: Variable) -> Int {
            switch v {
            case .field(let f): return f
            case .age: return model.fields.count
            case .atom(let id): return model.fields.count + 1 + id
            }
        }
        order.sort { rank($0) < rank($1) }
        for v in order {
            var column = Column(variable: v, title: "", cells: [context.lowering.universe(v)])
            switch v {
            case .field(let f): column.title = words.field(f)
            case .age: column.title = "time since \(words.clockName)"
            case .atom(let id):
                let key = context.lowering.atomKey(id)
                guard case .listContains(let list, let item)? = key else {
                    problem = Self.untabled(key)
                    return
                }
                column.title = "\(words.field(list)) include \(model.describe(item))"
                column.listItem = (list, item)
                column.cells = [Constraint(values: .finite(FiniteSet(count: 2, members: [1])), missing: false),
                                Constraint(values: .finite(FiniteSet(count: 2, members: [0])), missing: false)]
                columns.append(column)
                continue
            }
            // A text field tested with `contains`, `starts with` or `ends with`
            // gets a yes/no column per test: the cells of its patterns'
            // combinations read badly.
            if case .field(let f) = v, case .text = RunbookWords(model: model).fieldType(f),
               (literals[v] ?? []).contains(where: { if case .text(let t) = $0.values { return !t.patterns.isEmpty }; return false }) {
                for constraint in literals[v] ?? [] {
                    guard case .text(let t) = constraint.values else { continue }
                    var test = column
                    test.title = words.field(f) + " " + (t.patterns.isEmpty ? "is " : "") + describe(t)
                    test.cells = [constraint, constraint.complement()]
                    test.textTest = true
                    columns.append(test)
                }
                continue
            }
            for constraint in literals[v] ?? [] {
                column.cells = column.cells.flatMap { cell -> [Constraint] in
                    [cell.intersection(constraint), cell.intersection(constraint.complement())].filter { !$0.isEmpty }
                }
            }
            columns.append(column)
        }
        var total = 1
        for column in columns {
            total *= max(1, column.cells.count)
            if total > Self.maxCases {
                problem = "the policy's inputs make more than \(Self.maxCases) cases"
                return
            }
        }
        // Every combination of cells, the first column slowest.
        var rows: [Row] = []
        var index = [Int](repeating: 0, count: columns.count)
        for _ in 0..<total {
            if let incident = incident(index, context) {
                let outcome = context.outcome(incident)
                var actions = outcome.actions
                if let role {
                    actions = actions.filter { [.notify, .escalate, .assign].contains($0.kind) && $0.role == role }
                }
                rows.append(Row(cells: index.map { [$0] }, actions: actions,
                                waived: role == nil ? outcome.waived.map(\.kind) : [], cases: 1))
            }
            var k = columns.count - 1
            while k >= 0 {
                index[k] += 1
                // INVARIANT: `index` has one entry per column, and k is one of them.
                if index[k] < columns[k].cells.count { break }
                index[k] = 0
                k -= 1
            }
        }
        caseCount = rows.count
        self.rows = Self.merge(rows, columnCount: columns.count)
        dropOpenColumns()
        if self.rows.count > rowLimit {
            problem = "the table would have \(self.rows.count) rows, more than the limit of \(rowLimit)"
        }
    }

    /// A concrete incident in the cells `index`, or nil when the cells
    /// cannot all hold at once.
    private func incident(_ index: [Int], _ context: AnalysisContext) -> ExampleIncident? {
        var incident = ExampleIncident()
        var items: [Int: [Value]] = [:]
        var texts: [Int: Constraint] = [:]
        for (k, column) in columns.enumerated() {
            let cell = column.cells[index[k]]
            switch column.variable {
            case .field(let f) where column.textTest:
                texts[f] = texts[f].map { $0.intersection(cell) } ?? cell
            case .field(let f):
                if cell.valuesEmpty {
                    incident.values[f] = .some(nil)
                } else {
                    guard let value = context.value(from: cell, type: RunbookWords(model: model).fieldType(f)) else { return nil }
                    incident.values[f] = value
                }
            case .age:
                guard case .numeric(let set) = cell.values, let age = ExampleIncident.roundSample(set) else { return nil }
                incident.age = age
            case .atom:
                if case .finite(let set) = cell.values, set.contains(1), let item = column.listItem {
                    items[item.field, default: []].append(item.value)
                }
            }
        }
        for (f, cell) in texts {
            if cell.valuesEmpty {
                guard cell.missing else { return nil }
                incident.values[f] = .some(nil)
            } else if let value = context.value(from: cell, type: .text) {
                incident.values[f] = value
            } else if cell.missing {
                incident.values[f] = .some(nil)
            } else {
                return nil
            }
        }
        for (list, values) in items {
            if case .some(.none) = incident.values[list] { return nil } // `contains` on a missing list is false
            incident.values[list] = .list(values)
        }
        for (f, field) in model.fields.enumerated() where incident.values[f] == nil && field.isRequired {
            incident.values[f] = .some(context.plainValue(field.type))
        }
        // Deadlines count from the clock field: give it a time unless the case has it missing.
        if let clock = model.clockField, incident.values[clock] == nil {
            incident.values[clock] = .some(.time(ExampleIncident.defaultTime))
        }
        return incident
    }

    /// Rows with the same actions that differ in one column only become one,
    /// column by column, until nothing changes.
    static func merge(_ input: [Row], columnCount: Int) -> [Row] {
        var rows = input
        var changed = true
        while changed {
            changed = false
            for c in 0..<columnCount {
                var out: [Row] = []
                var at: [String: Int] = [:]
                for row in rows {
                    var key = row.actions.map(\.summary).joined(separator: "\n") + "\n~" + row.waived.map(\.rawValue).joined(separator: ",")
                    for (k, cells) in row.cells.enumerated() where k != c { key += "|" + cells.sorted().map(String.init).joined(separator: ",") }
                    if let i = at[key] {
                        out[i].cells[c].formUnion(row.cells[c])
                        out[i].cases += row.cases
                        changed = true
                    } else {
                        at[key] = out.count
                        out.append(row)
                    }
                }
                rows = out
            }
        }
        return rows
    }

    /// A column every row covers whole says nothing: it goes.
    private mutating func dropOpenColumns() {
        var keep: [Int] = []
        for (k, column) in columns.enumerated() where !rows.allSatisfy({ $0.cells[k].count == column.cells.count }) {
            keep.append(k)
        }
        // INVARIANT: `keep` holds indexes of `columns`, and every row has a cell set per column.
        columns = keep.map { columns[$0] }
        rows = rows.map { row in
            var r = row
            r.cells = keep.map { row.cells[$0] }
            return r
        }
    }

    // MARK: - Reading

    /// The cells of row `r`, in words: `high or critical`, `any`.
    package func cellText(row r: Int, column k: Int) -> String {
        guard rows.indices.contains(r), columns.indices.contains(k), rows[r].cells.indices.contains(k) else { return "" }
        let column = columns[k]
        let chosen = rows[r].cells[k]
        if chosen.count == column.cells.count { return "any" }
        // Levels and values in their declared order, however the cells merged.
        if column.listItem == nil, case .finite = column.cells.first?.values {
            var union: Constraint?
            for k in chosen.sorted() {
                let cell = column.cells[k]
                guard let u = union, case .finite(let a) = u.values, case .finite(let b) = cell.values else { union = cell; continue }
                union = Constraint(values: .finite(a.union(b)), missing: u.missing || cell.missing)
            }
            if let union { return describe(union, column) }
        }
        let names = chosen.sorted().map { describe(column.cells[$0], column) }
        return RunbookWords.list(names)
    }

    private func describe(_ cell: Constraint, _ column: Column) -> String {
        if column.listItem != nil {
            if case .finite(let set) = cell.values { return set.contains(1) ? "yes" : "no" }
        }
        if column.textTest { return column.cells.first == cell ? "yes" : "no" }
        var parts: [String] = []
        if !cell.valuesEmpty {
            switch cell.values {
            case .finite(let set):
                if case .field(let f) = column.variable {
                    if case .list = RunbookWords(model: model).fieldType(f) { parts.append("some") } else {
                        parts.append(RunbookWords.list(set.members.map { RunbookWords(model: model).choiceNameSpelled(f, $0) }))
                    }
                }
            case .numeric(let set): parts.append(describe(set, column.variable))
            case .text(let text): parts.append(describe(text))
            }
        }
        if cell.missing { parts.append("none") }
        return RunbookWords.list(parts)
    }

    private func describe(_ set: IntervalSet, _ v: Variable) -> String {
        func value(_ x: Double) -> String {
            switch v {
            case .age: return DurationText.describe(seconds: ExampleIncident.seconds(x))
            case .field(let f):
                switch RunbookWords(model: model).fieldType(f) {
                case .time: return ISOTimeText.format(ExampleIncident.seconds(x))
                case .duration: return DurationText.describe(seconds: ExampleIncident.seconds(x))
                default: return model.describe(.number(x))
                }
            case .atom: return model.describe(.number(x))
            }
        }
        if set.isAll { return "any" }
        return RunbookWords.list(set.parts.map { i -> String in
            if i.low == i.high { return value(i.low) }
            switch (i.low.isFinite, i.high.isFinite) {
            case (false, true): return (i.highClosed ? "at most " : "less than ") + value(i.high)
            case (true, false): return (i.lowClosed ? "at least " : "more than ") + value(i.low)
            case (true, true):
                return (i.lowClosed ? "from " : "more than ") + value(i.low) + (i.highClosed ? " to " : ", less than ") + value(i.high)
            case (false, false): return "any"
            }
        })
    }

    private func describe(_ text: TextDomain) -> String {
        var parts: [String] = []
        let items = text.set.items.sorted().map(SExpr.quote)
        if !text.set.cofinite { parts.append(RunbookWords.list(items)) } else if !items.isEmpty { parts.append("not " + RunbookWords.list(items)) }
        for p in text.patterns {
            let verb: String
            switch p.test {
            case .contains: verb = p.positive ? "contains" : "does not contain"
            case .startsWith: verb = p.positive ? "starts with" : "does not start with"
            case .endsWith: verb = p.positive ? "ends with" : "does not end with"
            }
            parts.append(verb + " " + SExpr.quote(p.needle))
        }
        return parts.isEmpty ? "any text" : parts.joined(separator: " and ")
    }

    /// The row that holds a record's case, or nil when no row does (the
    /// table was not made, or the record is outside every cell).
    package func row(for record: RecordBuffer) -> Int? {
        guard problem == nil else { return nil }
        let interpreter = ReferenceInterpreter(model: model)
        var cellOf: [Int] = []
        for column in columns {
            guard let k = column.cells.firstIndex(where: { contains($0, column, record, interpreter) }) else { return nil }
            cellOf.append(k)
        }
        return rows.firstIndex { row in cellOf.enumerated().allSatisfy { row.cells[$0.offset].contains($0.element) } }
    }

    private func contains(_ cell: Constraint, _ column: Column, _ record: RecordBuffer, _ interpreter: ReferenceInterpreter) -> Bool {
        let value: Value?
        switch column.variable {
        case .field(let f): value = interpreter.value(of: f, in: record)
        case .age:
            guard let clock = model.clockField, case .time(let t)? = interpreter.value(of: clock, in: record) else { return cell.missing }
            value = .duration(ReferenceInterpreter.whole(record.now) - t)
        case .atom:
            guard let item = column.listItem, case .finite(let set) = cell.values else { return false }
            var has = false
            if case .list(let values)? = interpreter.value(of: item.field, in: record) { has = values.contains(item.value) }
            return set.contains(has ? 1 : 0)
        }
        guard let value else { return cell.missing }
        switch (cell.values, value) {
        case (.finite(let set), .list): return set.contains(0)
        case (.finite(let set), _): return value.scalar.flatMap { Int(exactly: $0) }.map(set.contains) ?? false
        case (.numeric(let set), _): return value.scalar.map(set.contains) ?? false
        case (.text(let domain), .text(let s)): return domain.contains(s)
        default: return false
        }
    }
}

extension Formula {
    /// Calls `body` with every literal, in order.
    func collectLiterals(_ body: (Literal) -> Void) {
        switch self {
        case .constant: break
        case .literal(let l): body(l)
        case .and(let parts), .or(let parts): for p in parts { p.collectLiterals(body) }
        }
    }
}

extension DecisionTable {
    /// Why a leaf keeps the table from being drawn, in words.
    static func untabled(_ key: Lowering.AtomKey?) -> String {
        switch key {
        case .clock?:
            return "a rule tests the time of day, the day of the week or the opening hours, and the table cannot pick cases for that"
        case .compare(_, .history, _)?, .compare(_, _, .history)?:
            return "a rule reads the earlier incidents (`earlier`, `since last`), and the table cannot pick cases for that"
        default:
            return "a rule compares two fields, or tests a field against a list field's items, and the table cannot pick cases for that"
        }
    }
}
