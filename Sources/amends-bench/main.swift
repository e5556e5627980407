// amends-bench: the performance targets of Amends, measured side by side.
//
//     swift build -c release
//     swift run -c release amends-bench [--native PATH] [--input FILE] [--json FILE]
//
// See Benchmarks.md for what each figure means and the last ones measured.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

// MARK: - Options

let usage = """
usage: amends-bench [options]
  --records N      records in the end-to-end workload (default 200000)
  --runs K         runs of each timed step; the median is reported (default 7)
  --input FILE     use these JSON Lines records instead of generating them
                   (e.g. ../shared/bench/gen_incidents.py's file)
  --native PATH    the hand-written reference, swift-native's recovery-scanner,
                   run side by side with amends (target 1's ratio)
  --amends PATH    the amends binary (default: beside this program)
  --json FILE      also write the report as JSON
  --skip-large     skip the 2,000,000-record memory run
  --work DIR       where to put generated files (default /tmp/amends-bench)
  --only LIST      run only these targets, e.g. `--only 1,2` (default 1,2,3,4,5,6,7)
  --eval-records N records decoded in advance for target 2 (default 50000)
  --eval-rules L   rule counts for target 2 (default 12,120,1200)
"""

var records = 200_000
var runs = 7
var input: String?
var native: String?
var amends: String?
var jsonPath: String?
var skipLarge = false
var work = "/tmp/amends-bench"
var only: Set<Int> = [1, 2, 3, 4, 5, 6, 7]
var evalRecords = 50_000
var evalRules = [12, 120, 1200]

var arguments = CommandLine.arguments.dropFirst()
while let arg = arguments.popFirst() {
    func value() -> String {
        guard let v = arguments.popFirst() else {
            print("amends-bench: \(arg) needs a value\n\(usage)")
            exit(2)
        }
        return v
    }
    switch arg {
    case "--records": records = Int(value()) ?? records
    case "--runs": runs = max(1, Int(value()) ?? runs)
    case "--input": input = value()
    case "--native": native = value()
    case "--amends": amends = value()
    case "--json": jsonPath = value()
    case "--skip-large": skipLarge = true
    case "--work": work = value()
    case "--only": only = Set(value().split(separator: ",").compactMap { Int($0) })
    case "--eval-records": evalRecords = max(1, Int(value()) ?? evalRecords)
    case "--eval-rules": evalRules = value().split(separator: ",").compactMap { Int($0) }
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        print("amends-bench: unknown option `\(arg)`\n\(usage)")
        exit(2)
    }
}

/// The absolute form of a path (the benchmark changes directory).
func absolute(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
let here = absolute(CommandLine.arguments[0]).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
let amendsPath = absolute(amends ?? (here.isEmpty ? "amends" : here + "/amends"))
native = native.map(absolute)
input = input.map(absolute)
guard Measure.fileExists(amendsPath) else {
    print("amends-bench: no amends binary at \(amendsPath): build it with `swift build -c release`, or give --amends")
    exit(2)
}
if let native, !Measure.fileExists(native) {
    print("""
    amends-bench: no swift-native binary at \(native): build it with
      swift build -c release --package-path ../shared/bench/swift-native --scratch-path /tmp/swift-native
    and give --native /tmp/swift-native/release/recovery-scanner
    """)
    exit(2)
}
mkdir(work, 0o755)
work = absolute(work)

// MARK: - Report

/// The report, as lines of text and as JSON members.
struct Report {
    var text: [String] = []
    var json: [String] = []

    mutating func line(_ s: String) {
        text.append(s)
        print(s)
        fflush(nil)
    }

    mutating func value(_ key: String, _ v: Double) { json.append("\"\(key)\":\(v.isFinite ? "\(v)" : "null")") }
    mutating func value(_ key: String, _ v: Int) { json.append("\"\(key)\":\(v)") }
    mutating func value(_ key: String, _ v: Bool) { json.append("\"\(key)\":\(v)") }
    mutating func value(_ key: String, _ v: String) { json.append("\"\(key)\":\"\(v)\"") }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (v * scale).rounded() / scale
    if digits == 0 && abs(r) < 1e15 { return String(Int(r)) }
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        s += "." + String(repeating: "0", count: digits)
    }
    return s
}
func verdict(_ ok: Bool) -> String { ok ? "ok" : "MISSED" }

var report = Report()
let cores = Affinity.get()?.count ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
let today = time(nil)
let date = Workload.isoTime(Int(today)).prefix(10)
report.line("Amends benchmark, \(date), \(cores) cores, \(amendsPath)")
report.value("date", String(date))
report.value("cores", cores)

// MARK: - Workload

let policyPath = work + "/reference.policy"
Measure.write(policyPath, Workload.policy(rules: 12))
let recordsPath: String
if let input {
    recordsPath = input
} else {
    recordsPath = work + "/incidents-\(records).jsonl"
    if !Measure.fileExists(recordsPath) {
        guard let f = fopen(recordsPath, "w") else {
            print("amends-bench: cannot write \(recordsPath)")
            exit(2)
        }
        Workload.incidents(records) { chunk in _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } }
        fclose(f)
    }
}
var st = stat()
stat(recordsPath, &st)
let lineCount: Int = {
    guard let f = fopen(recordsPath, "r") else { return 0 }
    defer { fclose(f) }
    var n = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let got = fread(&buffer, 1, buffer.count, f)
        if got <= 0 { break }
        for i in 0..<got where buffer[i] == 0x0A { n += 1 }
    }
    return n
}()
report.line("workload: \(lineCount) records, \(fixed(Double(st.st_size) / 1e6, 1)) MB (\(recordsPath)); reference policy, 12 rules")
report.value("records", lineCount)

// MARK: - 1. End to end

if only.contains(1) {
report.line("")
report.line("1. end to end: read, decode, evaluate, write JSON with deadlines and provenance (median of \(runs), alternating)")
// The policy is named as a user would from its folder, so the provenance
// in every line reads `"file":"reference.policy"`.
chdir(work)
let outNative = work + "/out-native.jsonl"
let outOne = work + "/out-one.jsonl"
let outAll = work + "/out-all.jsonl"
var nativeTimes: [Double] = [], oneTimes: [Double] = [], allTimes: [Double] = [], pairTimes: [Double] = []
var failures: [String] = []
// What two cores give a program like this on this machine: two copies of
// the hand-written one at once, one a core (they share the memory system,
// and on a virtual machine perhaps a physical core). The throughput of the
// pair over one copy alone is the most a second core can give here. It is
// measured in the same rounds as amends, since the machine drifts.
func nativePair(_ native: String) -> Double? {
    let pair = (0..<2).compactMap { (core: Int) in Measure.launch([native, recordsPath, outNative + ".\(core)"], core: core) }
    let times = pair.map { Measure.finish($0).seconds }
    return times.count == 2 ? times.max() : nil
}
for _ in 0..<runs {
    if let native {
        let r = Measure.spawn([native, recordsPath, outNative], core: 0)
        if r.status != 0 { failures.append("swift-native exited \(r.status)") }
        nativeTimes.append(r.seconds)
    }
    let one = Measure.spawn([amendsPath, "run", "reference.policy", recordsPath, "--now", "2026-01-01T00:00:00Z"], output: outOne, core: 0)
    if one.status != 0 { failures.append("amends (one core) exited \(one.status)") }
    oneTimes.append(one.seconds)
    let all = Measure.spawn([amendsPath, "run", "reference.policy", recordsPath, "--now", "2026-01-01T00:00:00Z"], output: outAll)
    if all.status != 0 { failures.append("amends (every core) exited \(all.status)") }
    allTimes.append(all.seconds)
    if let native, let pair = nativePair(native) { pairTimes.append(pair) }
}
unlink(outNative + ".0")
unlink(outNative + ".1")
let tNative = Measure.median(nativeTimes), tOne = Measure.median(oneTimes), tAll = Measure.median(allTimes)
if native != nil {
    report.line("   " + pad("swift-native (hand-written), one core", 42) + fixed(tNative, 3) + " s")
}
let ratio = tOne / tNative
report.line("   " + pad("amends run, one core", 42) + fixed(tOne, 3) + " s"
            + (native != nil ? "   \(fixed(ratio, 2))x native   (target <= 1.5x: \(verdict(ratio <= 1.5)))" : ""))
let speedup = tOne / tAll
report.line("   " + pad("amends run, every core (\(cores))", 42) + fixed(tAll, 3) + " s"
            + "   \(fixed(speedup, 2))x one core (target >= 1.7x: \(verdict(speedup >= 1.7)))")
report.line("   " + pad("records a second, every core", 42) + fixed(Double(lineCount) / tAll, 0))
if !pairTimes.isEmpty {
    let tPair = Measure.median(pairTimes)
    let ceiling = 2 * tNative / tPair
    report.line("   " + pad("two swift-natives at once, one a core", 42) + fixed(tPair, 3) + " s"
                + "   \(fixed(ceiling, 2))x the work of one (what a second core gives here)")
    report.line("   " + pad("every core's speed-up, of that ceiling", 42) + fixed(100 * speedup / ceiling, 0) + "%")
    report.value("native_pair_s", tPair)
    report.value("second_core_ceiling", ceiling)
    report.value("speedup_of_ceiling", speedup / ceiling)
}

/// Whether a results file has one line per record with `"record":1`, 2, … in order.
func inOrder(_ path: String, _ expected: Int) -> Bool {
    guard let f = fopen(path, "r") else { return false }
    defer { fclose(f) }
    var next = 1
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, f) > 0, let l = line {
        let text = String(cString: l)
        guard text.hasPrefix("{\"record\":"), let end = text.firstIndex(where: { $0 == "," || $0 == "}" }),
              Int(text[text.index(text.startIndex, offsetBy: 10)..<end]) == next else { return false }
        next += 1
    }
    return next - 1 == expected
}
let ordered = inOrder(outAll, lineCount)
let same = Measure.spawn(["/usr/bin/cmp", "-s", outOne, outAll]).status == 0
report.line("   output of every core: one line per record, in input order: \(ordered ? "yes" : "NO"); same bytes as one core: \(same ? "yes" : "NO")")
for f in Set(failures) { report.line("   FAILED: \(f)") }
report.value("end_to_end_native_s", tNative)
report.value("end_to_end_one_core_s", tOne)
report.value("end_to_end_every_core_s", tAll)
report.value("ratio_to_native", ratio)
report.value("speedup_every_core", speedup)
report.value("output_in_order", ordered && same)
}

// MARK: - 3. Memory

if only.contains(3) {
report.line("")
report.line("3. memory: peak resident set of `amends run`, every core")
// Run before anything large is held here: a child's peak counts from its
// parent's size when it was started.
report.line("   (this program's own peak so far: \(fixed(Double(Measure.ownMaxRSS()) / 1024, 1)) MB)")
var sizes = [(lineCount, recordsPath)]
if !skipLarge {
    let large = work + "/incidents-2000000.jsonl"
    if !Measure.fileExists(large), let f = fopen(large, "w") {
        Workload.incidents(2_000_000) { chunk in _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } }
        fclose(f)
    }
    sizes.append((2_000_000, large))
}
for (n, path) in sizes {
    let r = Measure.spawn([amendsPath, "run", "reference.policy", path, "--now", "2026-01-01T00:00:00Z"])
    let mb = Double(r.maxRSS) / 1024
    report.line("   " + pad("\(n) records", 20) + fixed(mb, 1) + " MB   (target < 100 MB: \(verdict(mb < 100 && r.status == 0)))")
    report.value("max_rss_mb_\(n)", mb)
}
}

// MARK: - 4. Start-up

if only.contains(4) {
report.line("")
report.line("4. start-up: whole process, small inputs (median of \(max(runs, 21)))")
let onePath = work + "/one.jsonl"
Measure.write(onePath, """
{"id": "INC-1", "severity": "high", "tier": "basic", "category": "billing", "channel": "email", "repeat": 0, "caused_by": "us", "reported": "2026-03-02T09:00:00Z", "customer_since_years": 1, "amount": 10}

""")
let smallPolicy = work + "/small.policy"
Measure.write(smallPolicy, Workload.policy(rules: 12))
for (name, argv) in [("amends run, one record", [amendsPath, "run", "reference.policy", onePath]),
                     ("amends check, one small file", [amendsPath, "check", smallPolicy])] {
    var times: [Double] = []
    for _ in 0..<max(runs, 21) { times.append(Measure.spawn(argv).seconds) }
    let ms = Measure.median(times) * 1000
    report.line("   " + pad(name, 32) + fixed(ms, 1) + " ms   (target < 30 ms: \(verdict(ms < 30)))")
    report.value(name.hasPrefix("amends run") ? "startup_run_ms" : "startup_check_ms", ms)
}
}

// MARK: - 2. Evaluation alone

if only.contains(2) {
report.line("")
report.line("2. evaluation alone: records decoded in advance; rules fired and actions merged (median of \(runs))")
func decodeAll(_ program: Program, _ path: String, limit: Int) -> [RecordBuffer] {
    guard case .success(let stream) = RecordStream.open(path) else { return [] }
    var decoder = stream.makeDecoder(for: program.schema)
    var out: [RecordBuffer] = []
    var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
    while out.count < limit, let batch = stream.nextBatch(maxRecords: 4096) {
        for i in 0..<batch.count where out.count < limit {
            if decoder.decode(batch, i, into: &buffer) == nil { out.append(buffer) }
        }
    }
    return out
}
/// Seconds a record of evaluating `decoded` `passes` times, `runs + 1`
/// times over; and a checksum of the results, so that none is skipped.
/// Each record is moved out of the array and back (not copied), as a
/// program evaluating its own records would hold them.
func evaluationTimes(_ evaluator: Evaluator, _ decoded: [RecordBuffer], passes: Int, runs: Int) -> ([Double], Int) {
    var records = decoded
    var times: [Double] = []
    var checksum = 0
    for _ in 0...runs {
        let start = Measure.now()
        var r = RecordBuffer(fieldCount: 0)
        for _ in 0..<passes {
            for i in records.indices {
                swap(&r, &records[i])
                checksum &+= evaluator.evaluate(r).count
                swap(&r, &records[i])
            }
        }
        times.append((Measure.now() - start) / Double(records.count * passes))
    }
    return (times, checksum)
}
var evalFigures: [(rules: Int, ns: Double)] = []
for ruleCount in evalRules {
    let compiled = Driver.compile(source: SourceText(path: "rules-\(ruleCount).policy", text: Workload.policy(rules: ruleCount)))
    guard let program = compiled.program else {
        report.line("   \(ruleCount) rules: the generated policy does not compile")
        continue
    }
    let decoded = decodeAll(program, recordsPath, limit: evalRecords)
    let evaluator = Evaluator(program: program)
    let passes = ruleCount >= 1200 ? 1 : 4
    var (times, checksum) = evaluationTimes(evaluator, decoded, passes: passes, runs: runs)
    times.removeFirst() // warm-up
    let ns = Measure.median(times) * 1e9
    evalFigures.append((ruleCount, ns))
    var line = "   " + pad("\(ruleCount) rules", 14) + pad(fixed(ns, 1) + " ns a record", 22)
    if ruleCount == 12 { line += "(target <= 100 ns: \(verdict(ns <= 100)))" }
    if let previous = evalFigures.dropLast().last {
        let growth = ns / previous.ns
        line += "x\(fixed(growth, 1)) for x10 rules (linear or better: \(verdict(growth <= 12)))"
    }
    report.line(line + "   [checksum \(checksum % 1000)]")
    report.value("eval_ns_\(ruleCount)_rules", ns)
    if ruleCount == 12 && decoded.count > 1024 {
        // As `amends run` evaluates: each record just decoded, in cache
        // (here the first 1,024, a batch, over and over).
        let batch = Array(decoded.prefix(1024))
        var (hot, _) = evaluationTimes(evaluator, batch, passes: 200, runs: runs)
        hot.removeFirst()
        let hotNs = Measure.median(hot) * 1e9
        report.line("   " + pad("", 14) + pad(fixed(hotNs, 1) + " ns a record", 22) + "the same, records in cache (a batch of 1,024, as `run` reads them)")
        report.value("eval_ns_12_rules_in_cache", hotNs)
    }
}
}

// MARK: - 6. Tracking

if only.contains(6) {
    report.line("")
    report.line("6. tracking: the reference policy on records with evidence for four actions, with and without a `done:` block")
    report.line("   (one core, median of \(runs), alternating; the same records, fields and rules)")
    chdir(work)
    let n = min(records, 200_000)
    let evidencePath = work + "/incidents-evidence-\(n).jsonl"
    if !Measure.fileExists(evidencePath), let f = fopen(evidencePath, "w") {
        Workload.incidents(n, evidence: true) { chunk in _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } }
        fclose(f)
    }
    Measure.write(work + "/evidence-untracked.policy", Workload.evidencePolicy(tracked: false))
    Measure.write(work + "/evidence-tracked.policy", Workload.evidencePolicy(tracked: true))
    var plain: [Double] = [], tracked: [Double] = []
    var failed = false
    for _ in 0..<runs {
        let a = Measure.spawn([amendsPath, "run", "evidence-untracked.policy", evidencePath, "--now", "2026-01-01T00:00:00Z"],
                              output: work + "/out-untracked.jsonl", core: 0)
        let b = Measure.spawn([amendsPath, "run", "evidence-tracked.policy", evidencePath, "--now", "2026-01-01T00:00:00Z"],
                              output: work + "/out-tracked.jsonl", core: 0)
        failed = failed || a.status != 0 || b.status != 0
        plain.append(a.seconds)
        tracked.append(b.seconds)
    }
    let tPlain = Measure.median(plain), tTracked = Measure.median(tracked)
    let cost = tTracked / tPlain - 1
    report.line("   " + pad("amends run, no `done:` block", 42) + fixed(tPlain, 3) + " s")
    report.line("   " + pad("amends run, four actions tracked", 42) + fixed(tTracked, 3) + " s"
                + "   +\(fixed(100 * cost, 1))% (target <= 15%: \(verdict(cost <= 0.15)))")
    if failed { report.line("   FAILED: a run did not exit 0") }
    report.value("tracking_untracked_s", tPlain)
    report.value("tracking_tracked_s", tTracked)
    report.value("tracking_cost", cost)
}

// MARK: - 5. Front end

if only.contains(5) {
report.line("")
let large = Workload.largePolicy(lines: 100_000)
let largeLines = large.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
var frontTimes: [Double] = []
var frontOK = true
for _ in 0..<max(3, runs / 2) {
    let start = Measure.now()
    let compiled = Driver.compile(source: SourceText(path: "large.policy", text: large))
    frontTimes.append(Measure.now() - start)
    frontOK = frontOK && compiled.program != nil
}
let front = Measure.median(frontTimes)
report.line("5. front end: a \(largeLines)-line policy loaded, checked and compiled in process")
report.line("   " + pad("median", 32) + fixed(front, 3) + " s    (target < 0.5 s: \(verdict(front < 0.5 && frontOK)))"
            + (frontOK ? "" : "  (it did not compile!)"))
report.value("front_end_s", front)
report.value("front_end_lines", largeLines)
}

// MARK: - 7. The language server

if only.contains(7) {
report.line("")
report.line("7. amends lsp on a 10,000-line policy: each request right after an edit, and again (median of \(runs))")
if let (open, figures) = LanguageServerBenchmark.measure(amends: amendsPath, lines: 10_000, runs: runs) {
    report.line("   " + pad("open to diagnostics", 20) + fixed(open * 1000, 1) + " ms")
    var slowest = 0.0
    for f in figures {
        report.line("   " + pad(f.name, 20) + pad(fixed(f.afterEdit * 1000, 1) + " ms after an edit", 26) + fixed(f.again * 1000, 1) + " ms again")
        report.value("lsp_\(f.name)_ms", f.afterEdit * 1000)
        slowest = max(slowest, f.afterEdit, f.again)
    }
    report.line("   " + pad("slowest", 20) + fixed(slowest * 1000, 1) + " ms   (target < 50 ms: \(verdict(slowest < 0.05)))")
    report.value("lsp_open_ms", open * 1000)
    report.value("lsp_slowest_ms", slowest * 1000)
} else {
    report.line("   FAILED: amends lsp could not be driven")
}
}

if let jsonPath {
    Measure.write(jsonPath, "{" + report.json.joined(separator: ",") + "}\n")
    print("\n(JSON written to \(jsonPath))")
}
