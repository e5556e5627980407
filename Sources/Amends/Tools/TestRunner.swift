/// The TestRunner runs the `example` blocks of policy files and of separate
/// `.examples` files (which `use` the policy they test), compares each with
/// what the policy requires, and gathers a `TestReport` with coverage.
///
/// A file that cannot be read, or whose policy has errors, is reported as
/// such and its examples are not run; the other files still are.
package enum TestRunner {
    /// Tests each file by path, in the order given.
    package static func run(paths: [String], read: @escaping Loader.ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) })
        -> TestReport {
        var report = TestReport()
        for path in paths {
            switch Loader.load(path: path, read: read) {
            case .failure(let failure):
                report.files.append(.init(path: path, policy: nil, status: .unreadable(failure.description), examples: []))
            case .success(let loaded):
                add(Driver.compile(loaded), path: path, to: &report)
            }
        }
        return report
    }

    /// Tests one compiled file and adds it to `report`.
    package static func add(_ compiled: Driver.Compiled, path: String, to report: inout TestReport) {
        guard let program = compiled.program else {
            let errors = compiled.diagnostics.filter { $0.level == .error }
            report.files.append(.init(path: path, policy: compiled.model.name, status: .invalid(errors), examples: []))
            return
        }
        let runner = ExampleRunner(program: program)
        var examples: [TestReport.ExampleResult] = []
        var runs: [(fired: [RuleRef], record: RecordBuffer)] = []
        for example in compiled.model.examples {
            let result = runner.run(example)
            examples.append(TestReport.result(result, file: path))
            runs.append((result.outcome.fired, runner.record(for: example)))
        }
        report.coverage.add(model: compiled.model, program: program, runs: runs)
        report.files.append(.init(path: path, policy: compiled.model.name, status: .tested, examples: examples))
    }
}
