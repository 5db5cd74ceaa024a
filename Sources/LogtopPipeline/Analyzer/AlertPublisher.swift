import Foundation
import LogtopCore
import LogtopKafka
import Synchronization

/// Publishes the analyzer's alert events to the alerts topic, each once: an event the topic already
/// holds (records analysed again after a restart or rebalance fire the same alerts) is counted as
/// replayed and not published again. With publishing off (a second view) it only counts nothing.
final class AlertPublisher: Sendable {
    private let producer: LogProducer
    private let settings: KafkaSettings
    private let topic: String
    /// Off for a second view of the same traffic (`--no-publish-alerts`).
    let enabled: Bool
    private let ledger = Mutex(AlertLedger())
    /// Alert records published, and events not published because the topic had them already.
    let published = Atomic<Int>(0)
    let replayed = Atomic<Int>(0)

    init(settings: KafkaSettings, topic: String, enabled: Bool) throws {
        producer = try LogProducer(settings: settings)
        self.settings = settings
        self.topic = topic
        self.enabled = enabled
    }

    /// Reads the alert events the topic already holds (its newest records), so that a replay publishes
    /// nothing twice. Blocking (up to 5 s): call it on the analyzer's thread before the first event. An
    /// unreadable topic leaves the ledger empty (duplicates are then possible, losses are not).
    func readPublished() {
        guard enabled else { return }  // nothing will be published: no need to know
        let capacity = ledger.withLock { $0.capacity }
        let records = (try? KafkaTopicReader.tail(settings: settings, topic: topic, count: capacity, timeoutMs: 5_000)) ?? []
        ledger.withLock { ledger in
            for record in records {
                guard let header = record.headers.first(where: { $0.name == AlertLedger.header }) else { continue }
                ledger.insert(String(decoding: header.value, as: UTF8.self))
            }
        }
    }

    /// Publishes `alerts` (those not on the topic yet), keyed `rule|offender`.
    func publish(_ alerts: [AlertEvent]) {
        guard enabled else { return }
        for a in alerts {
            guard ledger.withLock({ $0.insert(a) }) else {
                replayed.add(1, ordering: .relaxed)
                continue
            }
            let key = Array("\(a.rule.rawValue)|\(a.offender ?? "")".utf8)
            let value = Array(ReportFormatter.alertJSON(a).utf8)
            let headers = [KafkaHeader(name: AlertLedger.header, value: Array(AlertLedger.key(of: a).utf8))]
            var tries = 0
            // A full queue (a broker outage) is retried for about a second per event.
            while case .queueFull = producer.produce(topic: topic, key: key, value: value, headers: headers), tries < 1000 {
                tries += 1
                usleep(1_000)
            }
            published.add(1, ordering: .relaxed)
        }
    }

    /// Delivery accounting of the alert records.
    var stats: ProducerStats { producer.stats() }

    var lastError: KafkaErrorEvent? { producer.lastError }

    func close(flushTimeoutMs: Int) { producer.close(flushTimeoutMs: flushTimeoutMs) }
}
