/// The object librdkafka's callbacks reach through the configuration opaque
/// pointer. Owned (retained) by the Swift client, which destroys its handle
/// before releasing it, so callbacks never see a dangling pointer.
final class ClientContext: Sendable {
    let events = ClientEvents()
    /// Set for producers: delivery-report accounting.
    let delivery: DeliveryAccounting?
    /// Set for consumers: assignment and gap tracking.
    let consumption: ConsumptionState?
    /// Set for consumers whose owner acts on partition moves.
    let rebalanceHooks: RebalanceHooks?

    init(delivery: DeliveryAccounting? = nil, consumption: ConsumptionState? = nil, rebalanceHooks: RebalanceHooks? = nil) {
        self.delivery = delivery
        self.consumption = consumption
        self.rebalanceHooks = rebalanceHooks
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}
