import CecertCore
import Testing

@Suite struct LogThrottleTests {
    @Test func oneLinePerKeyAndInterval() {
        let throttle = LogThrottle(seconds: 60)
        let second: UInt64 = 1_000_000_000
        #expect(throttle.admit("A", now: 10 * second) == 0)
        #expect(throttle.admit("A", now: 11 * second) == nil)
        #expect(throttle.admit("A", now: 69 * second) == nil)
        #expect(throttle.admit("B", now: 69 * second) == 0)
        #expect(throttle.admit("A", now: 70 * second) == 2)
        #expect(throttle.admit("A", now: 71 * second) == nil)
    }

    @Test func capacityForgetsAllKeys() {
        let throttle = LogThrottle(seconds: 60, capacity: 2)
        #expect(throttle.admit("A", now: 0) == 0)
        #expect(throttle.admit("B", now: 0) == 0)
        #expect(throttle.admit("A", now: 1) == nil)
        #expect(throttle.admit("C", now: 2) == 0)
        #expect(throttle.admit("A", now: 3) == 0)
    }
}
