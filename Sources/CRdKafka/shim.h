#ifndef LOGTOP_CRDKAFKA_SHIM_H
#define LOGTOP_CRDKAFKA_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/*
 * Non-variadic wrapper around rd_kafka_produceva() (Swift cannot call the
 * variadic rd_kafka_producev()). The value and key are copied
 * (RD_KAFKA_MSG_F_COPY). `headers` may be NULL; on success librdkafka owns
 * them, on failure the caller must rd_kafka_headers_destroy() them.
 * The returned error (NULL on success) must be rd_kafka_error_destroy()ed.
 */
static inline rd_kafka_error_t *logtop_produce(rd_kafka_t *rk,
                                               const char *topic,
                                               int32_t partition,
                                               const void *key,
                                               size_t key_len,
                                               const void *value,
                                               size_t value_len,
                                               rd_kafka_headers_t *headers,
                                               void *msg_opaque) {
        rd_kafka_vu_t vus[7];
        size_t n = 0;
        vus[n].vtype  = RD_KAFKA_VTYPE_TOPIC;
        vus[n].u.cstr = topic;
        n++;
        vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
        vus[n].u.i32 = partition;
        n++;
        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[n].u.i   = RD_KAFKA_MSG_F_COPY;
        n++;
        vus[n].vtype      = RD_KAFKA_VTYPE_VALUE;
        vus[n].u.mem.ptr  = (void *)value;
        vus[n].u.mem.size = value_len;
        n++;
        if (key) {
                vus[n].vtype      = RD_KAFKA_VTYPE_KEY;
                vus[n].u.mem.ptr  = (void *)key;
                vus[n].u.mem.size = key_len;
                n++;
        }
        if (headers) {
                vus[n].vtype     = RD_KAFKA_VTYPE_HEADERS;
                vus[n].u.headers = headers;
                n++;
        }
        vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vus[n].u.ptr = msg_opaque;
        n++;
        return rd_kafka_produceva(rk, vus, n);
}

/*
 * Non-variadic wrapper around rd_kafka_mock_broker_push_request_error_rtts()
 * for a single (error, rtt) tuple.
 */
static inline rd_kafka_resp_err_t
logtop_mock_broker_push_request_error_rtt(rd_kafka_mock_cluster_t *mcluster,
                                          int32_t broker_id,
                                          int16_t api_key,
                                          rd_kafka_resp_err_t err,
                                          int rtt_ms) {
        return rd_kafka_mock_broker_push_request_error_rtts(
            mcluster, broker_id, api_key, 1, err, rtt_ms);
}

#endif
