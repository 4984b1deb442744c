package dev.stingray.common.discovery;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.KvNamespaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Daemon discovery through the GCS internal KV: each daemon {@link #register registers} a
 * {@link ServiceRecord}; peers {@link #list list} or {@link #find find} them. Only the GCS address is
 * ever configured. The GCS removes a dead node's entries.
 */
public final class ServiceRegistry {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final GcsClient gcs;

    public ServiceRegistry(GcsClient gcs) {
        this.gcs = gcs;
    }

    public void register(ServiceRecord record) {
        gcs.kvPut(KvNamespaces.SERVICES, record.key(), toJson(record), true);
    }

    public void deregister(ServiceRecord record) {
        gcs.kvDel(KvNamespaces.SERVICES, record.key(), false);
    }

    /** Every registered daemon, optionally only of one service. */
    public List<ServiceRecord> list(String servicePrefix) {
        List<ServiceRecord> records = new ArrayList<>();
        for (String key : gcs.kvKeys(KvNamespaces.SERVICES, servicePrefix == null ? "" : servicePrefix)) {
            gcs.kvGetString(KvNamespaces.SERVICES, key).map(ServiceRegistry::fromJson).ifPresent(records::add);
        }
        return records;
    }

    public Optional<ServiceRecord> find(String service, String nodeIdHex) {
        return gcs.kvGetString(KvNamespaces.SERVICES, ServiceRecord.key(service, nodeIdHex)).map(ServiceRegistry::fromJson);
    }

    /** The first registered daemon of a service (e.g. the only {@code ray_client_server}). */
    public Optional<ServiceRecord> findAny(String service) {
        return list(service + ":").stream().findFirst();
    }

    public static String toJson(ServiceRecord record) {
        return JSON.writeValueAsString(record);
    }

    public static ServiceRecord fromJson(String json) {
        return JSON.readValue(json, ServiceRecord.class);
    }
}
