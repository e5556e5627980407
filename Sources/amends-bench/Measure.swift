#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing, child processes and statistics for the benchmark.
enum Measure {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// What one run of a child process took.
    struct Run {
        var seconds: Double
        /// Peak resident memory, KiB.
        var maxRSS: Int
        var status: Int32
    }

    /// Runs `argv` with stdin from /dev/null and stdout to `output`, stderr
    /// to /dev/null, and waits; `core` pins it (and only it) to one CPU.
    static func spawn(_ argv: [String], output: String = "/dev/null", core: Int? = nil) -> Run {
        guard let child = launch(argv, output: output, core: core) else { return Run(seconds: .nan, maxRSS: 0, status: -1) }
        return finish(child)
    }

    /// A child process started by `launch`, and when.
    struct Child {
        var pid: pid_t
        var start: Double
    }

    /// Starts `argv` as `spawn` does, without waiting; nil if it could not.
    static func launch(_ argv: [String], output: String = "/dev/null", core: Int? = nil) -> Child? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        // A child inherits the CPU affinity of its parent: narrow ours for
        // the spawn, then widen it again.
        let saved = core.flatMap { _ in Affinity.get() }
        if let core { _ = Affinity.set([core]) }
        // A fresh output file: truncating the last run's inside the timing
        // would charge its clean-up to this run.
        if output != "/dev/null" { unlink(output) }
        var pid: pid_t = 0
        let start = now()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        if let saved { _ = Affinity.set(saved) }
        return spawned == 0 ? Child(pid: pid, start: start) : nil
    }

    /// Waits for a child: its time from start to exit, peak memory, status.
    static func finish(_ child: Child) -> Run {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = now() - child.start
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Run(seconds: elapsed, maxRSS: Int(usage.ru_maxrss), status: exitStatus)
    }

    static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// This process's peak resident memory, KiB.
    static func ownMaxRSS() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Int(usage.ru_maxrss)
    }

    static func write(_ path: String, _ text: String) {
        guard let f = fopen(path, "w") else { return }
        fputs(text, f)
        fclose(f)
    }
}

/// The process's CPU affinity, through sched_getaffinity(2) and
/// sched_setaffinity(2), looked up in the C library (the Glibc module does
/// not show these GNU extensions). Empty or nil where they are missing.
enum Affinity {
    typealias Call = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32

    static func function(_ name: String) -> Call? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: Call.self)
    }

    static func get() -> [Int]? {
        guard let call = function("sched_getaffinity") else { return nil }
        var mask = [UInt64](repeating: 0, count: 16)
        let ok = mask.withUnsafeMutableBytes { raw in raw.baseAddress.map { call(0, raw.count, $0) == 0 } ?? false }
        guard ok else { return nil }
        var cores: [Int] = []
        for (w, word) in mask.enumerated() {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 { cores.append(w * 64 + b) }
        }
        return cores
    }

    static func set(_ cores: [Int]) -> Bool {
        guard let call = function("sched_setaffinity") else { return false }
        var mask = [UInt64](repeating: 0, count: 16)
        for c in cores where c >= 0 && c < 1024 { mask[c / 64] |= 1 << UInt64(c % 64) }
        return mask.withUnsafeMutableBytes { raw in raw.baseAddress.map { call(0, raw.count, $0) == 0 } ?? false }
    }
}
