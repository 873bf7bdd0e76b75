import Foundation
import Synchronization

/// Per-client token buckets, sharded by client address so worker threads rarely wait on each other.
final class RateLimiter: Sendable {
    /// The result of taking a token.
    enum Decision: Equatable {
        case allowed
        /// No token is left; a retry makes sense after this many whole seconds.
        case limited(retryAfter: Int)
    }

    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let limit: RateLimit
    private let maxClientsPerShard: Int
    private let shards: [LockedValue<[String: Bucket]>]
    private let clock: @Sendable () -> Double

    /// - Parameter clock: seconds on a monotonic clock; tests pass their own.
    init(limit: RateLimit, maxClients: Int, shardCount: Int = 16,
         clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.limit = limit
        self.maxClientsPerShard = max(1, maxClients / shardCount)
        self.shards = (0..<shardCount).map { _ in LockedValue([:]) }
        self.clock = clock
    }

    static let monotonicSeconds: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }

    /// Takes one token from `client`'s bucket.
    func take(_ client: String) -> Decision {
        update(client, cost: 1)
    }

    /// Reports whether `client` has a token, without taking it.
    func check(_ client: String) -> Decision {
        update(client, cost: 0)
    }

    private func update(_ client: String, cost: Double) -> Decision {
        let now = clock()
        let shard = shards[Int(UInt(bitPattern: client.hashValue) % UInt(shards.count))]
        return shard.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: limit.burst, updated: now)
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.refillPerSecond)
            bucket.updated = now
            guard bucket.tokens >= max(cost, 1) else {
                buckets[client] = bucket
                return .limited(retryAfter: retryAfter(missing: max(cost, 1) - bucket.tokens))
            }
            bucket.tokens -= cost
            if buckets[client] == nil, buckets.count >= maxClientsPerShard {
                prune(&buckets, now: now)
            }
            buckets[client] = bucket
            return .allowed
        }
    }

    private func retryAfter(missing tokens: Double) -> Int {
        guard limit.refillPerSecond > 0 else { return 3600 }
        return max(1, Int((tokens / limit.refillPerSecond).rounded(.up)))
    }

    /// Drops the buckets that have refilled completely, because they carry no state. If none has, it drops
    /// all of them, which at worst gives a flood of new clients a fresh burst.
    private func prune(_ buckets: inout [String: Bucket], now: Double) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + (now - bucket.updated) * limit.refillPerSecond < limit.burst
        }
        if buckets.count >= maxClientsPerShard {
            buckets.removeAll(keepingCapacity: true)
        }
    }
}

/// A `Mutex` in a class, so that shards of locked state can be kept in an array.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { try body(&$0) }
    }
}
