import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopKafka

@Suite struct EmbeddedKafkaClusterTests {
    @Test func listensOnLoopbackForOtherProcesses() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.close() }
        let addresses = cluster.bootstrapServers.split(separator: ",")
        #expect(addresses.count == 3)
        #expect(addresses.allSatisfy { $0.hasPrefix("127.0.0.1:") })
        let topic = uniqueName("kcat")
        #expect(try cluster.createTopic(topic, partitions: 5))

        let kcat = URL(fileURLWithPath: try requireTool("kcat", package: "kcat"))
        let bootstrap = cluster.bootstrapServers
        let output = try synchronously { () -> String in
            let process = Process()
            process.executableURL = kcat
            process.arguments = ["-b", bootstrap, "-L", "-t", topic, "-m", "5"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(output.contains("3 brokers"))
        #expect(output.contains("topic \"\(topic)\" with 5 partitions"))
    }

    @Test func createTopicReportsExistingTopics() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        #expect(try cluster.createTopic("t", partitions: 2) == true)
        #expect(try cluster.createTopic("t", partitions: 2) == false)
    }

    @Test func operationsAfterCloseThrow() throws {
        let cluster = try EmbeddedKafkaCluster()
        cluster.close()
        cluster.close()
        #expect(throws: KafkaError.self) { try cluster.createTopic("t", partitions: 1) }
        #expect(throws: KafkaError.self) { try cluster.setBrokerDown(1) }
    }

    @Test func unknownBrokerIsAnError() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        #expect(throws: KafkaError.self) { try cluster.setBrokerDown(42) }
        try cluster.setRoundTripTime(5, broker: 1)
    }
}

@Suite struct InjectedRequestErrorsTests {
    @Test func specsAreParsedByProtocolNames() {
        let three = InjectedRequestErrors(parsing: "produce=NOT_LEADER_FOR_PARTITION*3")
        #expect(three?.api == .produce && three?.errors == Array(repeating: .notLeaderForPartition, count: 3))
        #expect(InjectedRequestErrors(parsing: "OffsetCommit=rebalance_in_progress")?.errors == [.rebalanceInProgress])
        #expect(InjectedRequestErrors(parsing: "produce=OUT_OF_ORDER_SEQUENCE_NUMBER")?.errors.first?.name == "OUT_OF_ORDER_SEQUENCE_NUMBER")
        for bad in ["produce", "produce=", "nosuch=NOT_LEADER_FOR_PARTITION", "produce=NO_SUCH_ERROR", "produce=_TRANSPORT",
                    "produce=NOT_LEADER_FOR_PARTITION*0", "produce=NOT_LEADER_FOR_PARTITION*x"] {
            #expect(InjectedRequestErrors(parsing: bad) == nil, "\(bad)")
        }
    }
}
