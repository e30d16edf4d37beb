import Foundation

/// Keeps a process's claims alive: on a thread of its own, with a storage connection of its
/// own, it renews the leases of the trials this process runs every `interval` seconds, and
/// (for storages that keep checkpoints) uploads a trial's checkpoint file whenever it changed
/// on disk. A lease found taken over is reported through `lost` (the runner stops that
/// trial's worker).
///
/// Running apart from the sweep loop, it keeps beating while a trial runs in this process
/// (`workers = 0`) or while the loop waits.
public final class LeaseKeeper: @unchecked Sendable {
    public struct Held: Sendable {
        public var lease: TrialLease
        /// Sends the trial's checkpoint file when it changes (nil: none).
        public var uploader: CheckpointUploader?
        public init(lease: TrialLease, uploader: CheckpointUploader?) { self.lease = lease; self.uploader = uploader }
    }

    let sweep: String
    let interval: Double
    private let lock = NSLock()
    private var held: [Int: Held] = [:]
    private var lostIds: Set<Int> = []
    private var stopping = false
    private var thread: Thread?
    private var lastBeat = Date.distantPast
    private var opener: (() throws -> TrialStorage)?
    private let done = DispatchSemaphore(value: 0)
    /// Problems worth a line in the sweep's log (a failed upload, an unreachable storage).
    public var log: (String) -> Void = { _ in }

    public init(sweep: String, interval: Double) {
        self.sweep = sweep
        self.interval = interval
    }

    /// Runs the keeper on a thread of its own, with a connection that `open` makes there.
    public func start(open: @escaping () throws -> TrialStorage) {
        opener = open
        let t = Thread { [self] in loop(opener!) }
        t.name = "moonlab-lease"
        thread = t
        t.start()
    }

    /// Stops the thread after one last round of uploads.
    public func stop() {
        lock.withLock { stopping = true }
        if thread != nil { done.wait() }
        thread = nil
    }

    public func hold(_ h: Held) {
        lock.withLock { held[h.lease.id] = h }
    }

    /// Stops renewing a trial.
    public func release(_ id: Int) {
        _ = lock.withLock { held.removeValue(forKey: id) }
    }

    /// Trials whose lease was found taken over since the last call.
    public func takeLost() -> Set<Int> {
        lock.withLock { defer { lostIds.removeAll() }; return lostIds }
    }

    private func loop(_ open: () throws -> TrialStorage) {
        defer { done.signal() }
        var store: TrialStorage?
        while true {
            let stop = lock.withLock { stopping }
            do {
                if store == nil { store = try open() }
                try tick(store!, force: stop)
            } catch {
                log("storage: \(error)")
                store?.close()
                store = nil
            }
            if stop { break }
            usleep(250_000)
        }
        store?.close()
    }

    /// One round: uploads changed checkpoints, and renews the leases when `interval` has
    /// passed since the last renewal (or `force`). Called by the keeper's thread, or by the
    /// sweep loop when the keeper has none.
    public func tick(_ store: TrialStorage, force: Bool = false) throws {
        let current = lock.withLock { Array(held.values) }
        for h in current where try !(h.uploader?.upload(to: store) ?? true) { markLost(h.lease.id) }
        if force || Date().timeIntervalSince(lastBeat) >= interval {
            let lost = try store.heartbeat(sweep: sweep, leases: current.map(\.lease))
            for id in lost { markLost(id) }
            lastBeat = Date()
        }
    }

    private func markLost(_ id: Int) {
        lock.withLock {
            if held[id] != nil { lostIds.insert(id) }
        }
    }
}
