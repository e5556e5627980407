import Amends

/// `amends test PATHS…`: run the `example` blocks of policies.
enum TestCommand: Command {
    static let name = "test"
    static let summary = "run the policies' `example` blocks; --coverage, --format human|junit|json"
    static let usage = "amends test [--coverage] [--min-coverage PERCENT] [--format human|junit|json] [--verbose] PATHS…"
    static let help = """
    Runs every `example` block of each policy file given, and of every
    *.policy and *.examples file under each folder given. An example's
    `expect` lines are the complete set of actions it requires, deadlines,
    channels, components and remedies included; `expect at least` allows
    more. A .examples file holds examples only and `use`s the policy it tests.

    A failed example shows a diff: `-` an expected action that did not come,
    `+` an action that came unexpected, with the rules that produced it; a
    changed action is a `-`/`+` pair with the differing words marked `^`.
    The last line is `N passed, N failed`, followed by `, N files could not be
    loaded` when some could not (unreadable, or a policy with errors).

    options:
      --coverage             also list the rules no example makes fire and,
                             for scales and `one of` fields tested by
                             conditions, the values no example has
      --min-coverage PERCENT fail (exit 1) when fewer than PERCENT % of the
                             rules are fired by some example (implies --coverage;
                             in JUnit and JSON a check of its own)
      --format FORMAT        human (default), junit (JUnit XML for CI test
                             reports) or json
      --verbose              list every example, passed ones too

    exit status: 0 every example passed, 1 an example failed, there were no
                 examples or coverage is below --min-coverage, 2 bad command
                 line, an unreadable file or a policy with errors (its
                 examples cannot run; the other files are still tested)

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--min-coverage"], switches: ["--coverage", "--verbose"]) else {
            return 2
        }
        let format: String
        do {
            format = try parsed.choice("--format", ["human", "junit", "json"], default: "human")
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch {
            return 2
        }
        var minimum: Double?
        if let text = parsed.value("--min-coverage") {
            let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
            guard let value = Double(digits), value >= 0, value <= 100 else {
                return CLI.usage("`--min-coverage` takes a percentage from 0 to 100, not `\(text)`", command: name)
            }
            minimum = value
        }
        let coverage = parsed.has("--coverage") || minimum != nil
        guard !parsed.operands.isEmpty else {
            return CLI.usage("no policy files or folders given", command: name, help: "try `amends test policies/`")
        }
        let (paths, problems) = PolicyPaths.expand(parsed.operands, suffixes: [".policy", ".examples"])
        for problem in problems { Console.err.write("error: \(problem)\n") }
        if !problems.isEmpty { return 2 }

        let report = TestRunner.run(paths: paths)
        switch format {
        case "junit": Console.out.write(report.junitXML(coverage: coverage, minimumCoverage: minimum))
        case "json": Console.out.write(report.json(coverage: coverage, minimumCoverage: minimum))
        default:
            let options = TestReport.TextOptions(verbose: parsed.has("--verbose"), color: wantsColor(fd: 1), coverage: coverage)
            Console.out.write(report.humanText(options))
        }
        var status = report.exitStatus
        if let minimum, !report.coverage.meets(minimum) {
            Console.err.write("error: rule coverage \(Coverage.percentText(report.coverage.percent)) is below the minimum of "
                              + "\(Coverage.percentText(minimum))\n")
            Console.err.write("  = help: add examples that make the rules listed under `rules no example fires` fire\n")
            if status == 0 { status = 1 }
        }
        return status
    }
}
