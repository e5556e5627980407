// The formatter: golden outputs on representative inputs, and over every
// conformance case, every shipped policy and a few hundred generated
// policies, the two promises of `amends fmt`: formatting twice changes
// nothing, and the formatted text parses to the same tree with the same
// comments.
import Testing
@testable import Amends
@testable import AmendsCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The promises, checked on one text

enum FormatCheck {
    /// Everything wrong with formatting `text` (empty when it keeps its
    /// promises); `text` itself must parse without errors.
    static func problems(_ text: String, name: String) -> [String] {
        problems(SourceText(path: name, text: text), name: name)
    }

    static func problems(_ source: SourceText, name: String) -> [String] {
        let file = Parser.parse(source)
        guard let once = Formatter.format(file) else {
            return ["\(name): the formatter refused a text without syntax errors"]
        }
        let reparsed = Parser.parse(path: name, text: once)
        var problems: [String] = []
        if reparsed.diagnostics.hasErrors {
            let shown = reparsed.diagnostics.map(\.description).joined(separator: "\n")
            return ["\(name): the formatted text has syntax errors:\n\(shown)\n--- formatted ---\n\(once)"]
        }
        if SExpr.dump(reparsed) != SExpr.dump(file) || reparsed.items != file.items {
            problems.append("\(name): formatting changed the tree\n--- before ---\n\(SExpr.dump(file))--- after ---\n\(SExpr.dump(reparsed))--- formatted ---\n\(once)")
        }
        if commentTexts(file) != commentTexts(reparsed) {
            problems.append("\(name): formatting changed the comments\n--- before ---\n\(commentTexts(file))\n--- after ---\n\(commentTexts(reparsed))\n--- formatted ---\n\(once)")
        }
        let twice = Formatter.format(reparsed)
        if twice != once {
            problems.append("\(name): formatting is not idempotent\n"
                + UnifiedDiff.diff(from: once, to: twice ?? "(refused)\n", oldName: "once", newName: "twice"))
        }
        if let line = once.split(separator: "\n", omittingEmptySubsequences: false).first(where: { $0.hasSuffix(" ") }) {
            problems.append("\(name): trailing whitespace in `\(line)`")
        }
        if !once.isEmpty && (!once.hasSuffix("\n") || once.hasSuffix("\n\n")) {
            problems.append("\(name): the formatted text does not end with exactly one newline")
        }
        return problems
    }

    /// The comments of a file, in order, without trailing whitespace.
    static func commentTexts(_ file: PolicyFile) -> [String] {
        file.comments.map { comment in
            var text = file.source.text(comment.span)
            while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
            return text
        }
    }
}

// MARK: - Every case file and shipped policy

@Suite("Formatter corpus")
struct FormatterCorpusTests {
    @Test("conformance cases", arguments: Conformance.files)
    func conformanceCases(_ name: String) {
        for chunk in Conformance.chunks(file: name) {
            guard !Parser.parse(chunk.source).diagnostics.hasErrors else { continue }
            for problem in FormatCheck.problems(chunk.source, name: "\(name):\(chunk.firstLine)") {
                Issue.record(Comment(rawValue: problem))
            }
        }
    }

    /// Enough of the suite is formatted for the test above to mean something.
    @Test func manyCasesAreFormatted() {
        var count = 0
        for name in Conformance.files {
            count += Conformance.chunks(file: name).filter { !Parser.parse($0.source).diagnostics.hasErrors }.count
        }
        #expect(count >= 50, "only \(count) conformance cases parse without errors")
    }

    static let policies: [String] = {
        let root = FileSystem.directory(of: FileSystem.directory(of: FileSystem.directory(of: #filePath)))
        let folder = root + "/policies"
        return FileSystem.isDirectory(folder) ? FileSystem.files(under: folder, suffixes: [".policy", ".examples"]) : []
    }()

    @Test("shipped policies", arguments: policies)
    func shippedPolicy(_ path: String) throws {
        guard case .success(let bytes) = FileSystem.read(path) else {
            Issue.record("cannot read \(path)")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        try #require(!Parser.parse(path: path, text: text).diagnostics.hasErrors, "\(path) has syntax errors")
        for problem in FormatCheck.problems(text, name: path) { Issue.record(Comment(rawValue: problem)) }
    }
}

// MARK: - Generated policies

@Suite("Formatter properties")
struct FormatterPropertyTests {
    /// 300 seeds; `AMENDS_FMT_SEEDS=N` runs N of them, for a deeper search.
    static let seeds: [UInt64] = {
        let count = getenv("AMENDS_FMT_SEEDS").flatMap { Int(String(cString: $0)) } ?? 300
        return Array(1...UInt64(max(1, count)))
    }()

    @Test func generatedPoliciesKeepThePromises() {
        var reported = 0
        for seed in FormatterPropertyTests.seeds where reported < 5 {
            let text = PolicyGenerator.policy(seed: seed)
            let file = Parser.parse(path: "seed \(seed)", text: text)
            if file.diagnostics.hasErrors {
                let shown = file.diagnostics.map(\.description).joined(separator: "\n")
                Issue.record(Comment(rawValue: "the generator made a policy with errors (seed \(seed)):\n\(shown)\n--- text ---\n\(text)"))
                reported += 1
                continue
            }
            for problem in FormatCheck.problems(text, name: "seed \(seed)") {
                Issue.record(Comment(rawValue: problem + "\n--- generated ---\n" + text))
                reported += 1
            }
        }
    }

    /// The generator really makes untidy text: comments, continuation lines,
    /// one-line and block rules (so the property above tests something).
    @Test func generatorCoversTheLayouts() {
        var comments = 0, continuations = 0, openers = 0, oneLine = 0, blocks = 0, changed = 0
        for seed in FormatterPropertyTests.seeds {
            let text = PolicyGenerator.policy(seed: seed)
            let file = Parser.parse(path: "", text: text)
            comments += file.comments.count
            continuations += text.split(separator: "\n").filter {
                $0.hasSuffix(",") || $0.hasSuffix(" and") || $0.hasSuffix(" or") || $0.hasSuffix("(") || $0.hasSuffix("[") || $0.hasSuffix("{")
            }.count
            openers += text.split(separator: "\n").filter { $0.hasSuffix("(") || $0.hasSuffix("[") || $0.hasSuffix("{") }.count
            for item in file.items {
                if case .rule(let rule) = item.kind { if rule.oneLine { oneLine += 1 } else { blocks += 1 } }
            }
            if Formatter.format(file) != text { changed += 1 }
        }
        #expect(comments > 1_000)
        #expect(continuations > 100)
        #expect(openers > 20)
        #expect(oneLine > 100 && blocks > 100)
        #expect(changed > 250)
    }

    @Test func generatorIsDeterministic() {
        #expect(PolicyGenerator.policy(seed: 42) == PolicyGenerator.policy(seed: 42))
        #expect(PolicyGenerator.policy(seed: 42) != PolicyGenerator.policy(seed: 43))
    }
}

// MARK: - Golden files

@Suite("Formatter golden files")
struct FormatterGoldenTests {
    /// Inputs `golden/fmt/NAME.policy`, outputs `golden/fmt/NAME.formatted`.
    @Test(arguments: ["brief", "comments", "wrapping", "spellings"])
    func golden(_ name: String) throws {
        let path = Golden.directory + "/fmt/\(name).policy"
        guard case .success(let bytes) = FileSystem.read(path) else {
            Issue.record("cannot read \(path)")
            return
        }
        let source = SourceText(path: path, bytes: bytes)
        let formatted = try #require(Formatter.format(Parser.parse(source)))
        Golden.check(formatted, against: "fmt/\(name).formatted")
        for problem in FormatCheck.problems(source, name: name) { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func wrappedLinesFitTheWidth() throws {
        guard case .success(let bytes) = FileSystem.read(Golden.directory + "/fmt/wrapping.policy") else {
            Issue.record("cannot read wrapping.policy")
            return
        }
        let formatted = try #require(Formatter.format(Parser.parse(SourceText(path: "wrapping", bytes: bytes))))
        for line in formatted.split(separator: "\n") {
            #expect(line.unicodeScalars.count <= Formatter.width, "too wide: \(line)")
        }
    }
}

// MARK: - The layout rules, one by one

@Suite("Formatter layout")
struct FormatterLayoutTests {
    func fmt(_ text: String) -> String? { Formatter.format(text: text) }

    @Test func refusesAFileWithSyntaxErrors() {
        #expect(fmt("when severity >= high notify supervisor\n") == nil)
        #expect(fmt("when severity >= high: notify supervisor\n") != nil)
    }

    @Test func emptyAndCommentOnlyFiles() {
        #expect(fmt("") == "")
        #expect(fmt("\n\n  \n") == "")
        #expect(fmt("# a   \n\n\n   # b") == "# a\n\n# b\n")
    }

    @Test func byteOrderMarkAndCRLFAreNormalised() {
        #expect(fmt("\u{FEFF}policy \"x\"\r\n\r\n\r\nwhen a = 1:\r\n\tnotify b\r\n") == "policy \"x\"\n\nwhen a = 1:\n  notify b\n")
    }

    @Test func blankLineRunsCollapseAndBlocksStartWithoutOne() {
        #expect(fmt("\n\npolicy \"x\"\n\n\n\nrecord r:\n\n  a: text\n\n\n  b: text\n\n\n") == "policy \"x\"\n\nrecord r:\n  a: text\n\n  b: text\n")
    }

    @Test func shortOneLineRulesStayOnOneLine() {
        #expect(fmt("when a = 1 :notify b;offer c;follow up in 3 days;\n") == "when a = 1: notify b; offer c; follow up in 3 days\n")
    }

    @Test func oneLineRulesWithMoreThanThreeActionsBecomeBlocks() {
        #expect(fmt("when a = 1: notify b; offer c; assign d; follow up in 3 days\n")
                == "when a = 1:\n  notify b\n  offer c\n  assign d\n  follow up in 3 days\n")
    }

    @Test func tooLongOneLineRulesBecomeBlocks() {
        let task = String(repeating: "x", count: 80)
        #expect(fmt("when a = 1: notify b; task \"\(task)\"\n") == "when a = 1:\n  notify b\n  task \"\(task)\"\n")
    }

    @Test func blocksAreNeverJoined() {
        #expect(fmt("otherwise:\n    follow up in 7 days\n") == "otherwise:\n  follow up in 7 days\n")
        #expect(fmt("when a = 1:\n  notify b; offer c\n") == "when a = 1:\n  notify b\n  offer c\n")
    }

    @Test func numbersStayAsWritten() {
        #expect(fmt("when amount > 1.50 and amount < - 007: notify b\n") == "when amount > 1.50 and amount < -007: notify b\n")
    }

    @Test func partsOfAStatementComeInOneOrder() {
        #expect(fmt("when a = 1: respond by phone within 2 hours\n") == "when a = 1: respond within 2 hours by phone\n")
        #expect(fmt("record r:\n  t: time format \"d/M/yyyy\" from \"T\" ?\n") == "record r:\n  t: time? from \"T\" format \"d/M/yyyy\"\n")
    }

    @Test func commentAfterABlockStaysInItWhenIndented() {
        #expect(fmt("record r:\n  a: text\n    # inside\n# outside\nroles: x\n") == "record r:\n  a: text\n  # inside\n# outside\nroles: x\n")
        #expect(fmt("record r:\n  a: text\n# outside\n  # also outside, after one that was\nroles: x\n")
                == "record r:\n  a: text\n# outside\n# also outside, after one that was\nroles: x\n")
    }

    @Test func trailingCommentsOfNeighboursLineUp() {
        #expect(fmt("record r:\n  a: text # one\n  long_name: number    # two\n  c: text\n  d: text   # three\n")
                == "record r:\n  a: text            # one\n  long_name: number  # two\n  c: text\n  d: text  # three\n")
    }

    @Test func commentsInsideAStatementKeepTheirLineBreaks() {
        #expect(fmt("roles: a,   # first\n  # then\n  b\n") == "roles: a,  # first\n    # then\n    b\n")
        #expect(fmt("define x: (a = 1   # one\n   or b = 2)\n") == "define x: (a = 1  # one\n    or b = 2)\n")
    }

    @Test func longListsWrapAfterACommaFourSpacesDeeper() throws {
        let names = (1...30).map { "role_\($0)" }
        let formatted = try #require(fmt("roles: " + names.joined(separator: ", ") + "\n"))
        let lines = formatted.split(separator: "\n")
        #expect(lines.count > 1)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    role_") })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix(",") && $0.count <= Formatter.width })
    }
}
