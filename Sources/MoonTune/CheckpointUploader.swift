import Foundation

/// Sends one trial's checkpoint file to a storage that keeps checkpoints, whenever the file
/// changed since the last send (its date or size): from the lease keeper's thread as it polls,
/// and at once from the process that trains when `fit` writes a checkpoint, so a takeover
/// continues from the last completed epoch.
public final class CheckpointUploader: @unchecked Sendable {
    public let sweep: String
    /// The trial whose checkpoint this is (the first of a chain of promotions).
    public let owner: Int
    public let lease: TrialLease
    public let path: String
    private let lock = NSLock()
    private var sent: (Date, Int)?

    public init(sweep: String, owner: Int, lease: TrialLease, path: String) {
        self.sweep = sweep; self.owner = owner; self.lease = lease; self.path = path
    }

    /// The file's date and size now (nil: no file).
    static func stamp(_ path: String) -> (Date, Int)? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attrs[.modificationDate] as? Date,
              let size = (attrs[.size] as? NSNumber)?.intValue else { return nil }
        return (modified, size)
    }

    /// Marks the file as it is now as already in the storage (it was just restored from there).
    public func markSent() {
        lock.withLock { sent = Self.stamp(path) }
    }

    /// Sends the file if it changed; false when the storage refused it because the lease is
    /// no longer held. Serialized, so two senders never race with an older copy.
    public func upload(to store: TrialStorage) throws -> Bool {
        guard store.holdsCheckpoints else { return true }
        lock.lock()
        defer { lock.unlock() }
        guard let now = Self.stamp(path) else { return true }
        if let sent, sent.0 == now.0, sent.1 == now.1 { return true }
        guard let data = FileManager.default.contents(atPath: path) else { return true }
        guard try store.saveCheckpoint(sweep: sweep, owner: owner, lease: lease, data: data) else { return false }
        sent = now
        return true
    }
}
