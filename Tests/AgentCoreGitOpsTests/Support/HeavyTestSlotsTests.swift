import Testing

@Suite struct HeavyTestSlotsTests {
    /// A body that holds its slot until the test lets it go, and says when it got in.
    private struct Holder {
        let name: String
        let release: AsyncStream<Void>.Continuation
        let task: Task<Void, Error>

        init(_ name: String, in slots: HeavyTestSlots, first: Bool = false, entered: Entries) {
            let (stream, release) = AsyncStream<Void>.makeStream()
            self.name = name
            self.release = release
            task = Task {
                try await slots.withSlot(first: first) {
                    await entered.add(name)
                    for await _ in stream { break }
                }
            }
        }

        func finish() async throws {
            release.yield()
            try await task.value
        }
    }

    private actor Entries {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    @Test func aThirdHolderWaitsUntilOneOfTwoLeavesAndTakesItsSlot() async throws {
        let slots = HeavyTestSlots(capacity: 2)
        let entered = Entries()
        let first = Holder("first", in: slots, entered: entered)
        let second = Holder("second", in: slots, entered: entered)
        try await eventually("two holders are in") { await entered.names.count == 2 }

        let third = Holder("third", in: slots, entered: entered)
        try await eventually("the third waits") { await slots.waitingCount == 1 }
        #expect(await entered.names.contains("third") == false)
        #expect(await slots.taken == 2)

        try await first.finish()
        try await eventually("the third is in") { await entered.names.contains("third") }
        #expect(await slots.taken == 2)
        #expect(await slots.waitingCount == 0)

        try await second.finish()
        try await third.finish()
        #expect(await slots.taken == 0)
    }

    @Test func aTestInAChainGetsTheNextSlotBeforeThoseThatWaitedLonger() async throws {
        let slots = HeavyTestSlots(capacity: 1)
        let entered = Entries()
        let holder = Holder("holder", in: slots, entered: entered)
        try await eventually("the holder is in") { await entered.names == ["holder"] }
        let early = Holder("early", in: slots, entered: entered)
        try await eventually("the early one waits") { await slots.waitingCount == 1 }
        let chained = Holder("chained", in: slots, first: true, entered: entered)
        try await eventually("both wait") { await slots.waitingCount == 2 }

        try await holder.finish()
        try await eventually("the chained one is in") { await entered.names.count == 2 }
        #expect(await entered.names == ["holder", "chained"])
        try await chained.finish()
        try await early.finish()
        #expect(await entered.names == ["holder", "chained", "early"])
        #expect(await slots.taken == 0)
    }

    @Test func aBodyThatThrowsGivesItsSlotBack() async throws {
        struct Failure: Error {}
        let slots = HeavyTestSlots(capacity: 1)
        await #expect(throws: Failure.self) { try await slots.withSlot { throw Failure() } }
        #expect(await slots.taken == 0)
        try await slots.withSlot {}
    }
}
