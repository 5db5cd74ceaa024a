/// Errors the embedded cluster answers the next requests of one kind with (`logtop broker
/// --inject-errors produce=OUT_OF_ORDER_SEQUENCE_NUMBER*3`): how clients behave when a broker refuses
/// them can be tried without a real broker that misbehaves.
public struct InjectedRequestErrors: Sendable, Equatable {
    public var api: KafkaApiKey
    public var errors: [KafkaErrorCode]

    /// Request kinds by their name in the Kafka protocol, lowercased.
    public static let apiNames: [String: KafkaApiKey] = [
        "produce": .produce, "fetch": .fetch, "listoffsets": .listOffsets, "metadata": .metadata,
        "offsetcommit": .offsetCommit, "offsetfetch": .offsetFetch, "findcoordinator": .findCoordinator,
        "joingroup": .joinGroup, "heartbeat": .heartbeat, "leavegroup": .leaveGroup, "syncgroup": .syncGroup,
        "apiversions": .apiVersions, "initproducerid": .initProducerId,
    ]

    /// Parses `REQUEST=ERROR[*COUNT]`; ERROR is a broker error's name as librdkafka spells it
    /// (`NOT_LEADER_FOR_PARTITION`, `OUT_OF_ORDER_SEQUENCE_NUMBER`...). Nil when any part is unknown.
    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let api = Self.apiNames[parts[0].lowercased()] else { return nil }
        let errorAndCount = parts[1].split(separator: "*", maxSplits: 1)
        guard let code = KafkaErrorCode(brokerErrorNamed: String(errorAndCount[0])) else { return nil }
        var count = 1
        if errorAndCount.count == 2 {
            guard let n = Int(errorAndCount[1]), (1...10_000).contains(n) else { return nil }
            count = n
        }
        self.api = api
        errors = Array(repeating: code, count: count)
    }
}

extension KafkaErrorCode {
    /// The broker (protocol) error of that name, e.g. `OUT_OF_ORDER_SEQUENCE_NUMBER`; nil for unknown
    /// names and for librdkafka's local errors (negative codes, names starting with `_`).
    public init?(brokerErrorNamed name: String) {
        let wanted = name.uppercased()
        for raw in Int32(1)...Int32(200) {
            let code = KafkaErrorCode(rawValue: raw)
            if code.name == wanted {
                self = code
                return
            }
        }
        return nil
    }
}
