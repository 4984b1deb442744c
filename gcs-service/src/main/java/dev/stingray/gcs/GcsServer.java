package dev.stingray.gcs;

import com.google.protobuf.ByteString;
import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import dev.stingray.gcs.health.GcsHealthCheckManager;
import dev.stingray.gcs.job.GcsJobManager;
import dev.stingray.gcs.kv.GcsInternalKvManager;
import dev.stingray.gcs.node.GcsNodeManager;
import dev.stingray.gcs.node.NodeListener;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.resource.GcsResourceManager;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.gcs.store.StoreClient;
import dev.stingray.gcs.worker.GcsWorkerManager;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.TaskSpec;
import dev.stingray.proto.WorkerTableData;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the GCS in dependency order and installs its listeners in one place (Ray:
 * {@code GcsServer::DoStart} and {@code InstallEventListeners}). Construction loads every table from
 * storage, so the gRPC port (opened by Spring after the beans exist) never serves a half-loaded GCS.
 *
 * <p>Threading: managers guard their own state; health checks and pub/sub expiry run on one
 * scheduler thread named {@code gcs-scheduler}.
 */
public final class GcsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GcsServer.class);

    /** Ray's table names ({@code gcs.proto TablePrefix}). */
    static final String NODE_TABLE = "NODE";
    static final String JOB_TABLE = "JOB";
    static final String WORKERS_TABLE = "WORKERS";
    static final String ACTOR_TABLE = "ACTOR";
    static final String ACTOR_TASK_SPEC_TABLE = "ACTOR_TASK_SPEC";
    static final String PLACEMENT_GROUP_TABLE = "PLACEMENT_GROUP";

    private final StoreClient store;
    private final ScheduledExecutorService scheduler;
    private final GcsPublisher publisher;
    private final GcsInternalKvManager kv;
    private final GcsNodeManager nodes;
    private final GcsJobManager jobs;
    private final GcsWorkerManager workers;
    private final GcsResourceManager resources;
    private final java.util.concurrent.ExecutorService schedulingExecutor;
    private final dev.stingray.gcs.actor.GcsActorScheduler actorScheduler;
    private final dev.stingray.gcs.actor.GcsActorManager actors;
    private final dev.stingray.gcs.placement.GcsPlacementGroupManager placementGroups;
    private final dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager runtimeEnvs;
    private final GcsHealthCheckManager healthChecks;
    private final dev.stingray.gcs.job.GcsDriverMonitor drivers;
    private final ByteString clusterId;
    private final String sessionName;

    public GcsServer(GcsProperties properties, StoreClient store, Clock clock) {
        this.store = store;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gcs-scheduler");
            t.setDaemon(true);
            return t;
        });
        this.publisher = new GcsPublisher(clock, properties.pubsubPollTimeout(), properties.pubsubSubscriberTimeout(),
                properties.pubsubMaxBatch(), properties.pubsubLossyBuffer());
        this.kv = new GcsInternalKvManager(store, properties.kvMaxValueSize().toBytes());

        // Cluster id and session name survive a restart on the same Redis.
        this.clusterId = ByteString.copyFrom(HexFormat.of().parseHex(kv.getString(KvNamespaces.CLUSTER, KvNamespaces.CLUSTER_ID_KEY)
                .orElseGet(() -> {
                    String id = NodeId.random().hex();
                    kv.putString(KvNamespaces.CLUSTER, KvNamespaces.CLUSTER_ID_KEY, id, false);
                    return id;
                })));
        String stored = kv.getString(KvNamespaces.SESSION, KvNamespaces.SESSION_NAME_KEY).orElse(null);
        if (stored == null) {
            this.sessionName = properties.sessionName().isBlank() ? "session_unnamed" : properties.sessionName();
            kv.putString(KvNamespaces.SESSION, KvNamespaces.SESSION_NAME_KEY, sessionName, false);
            kv.putString(KvNamespaces.SESSION, KvNamespaces.TEMP_DIR_KEY, properties.tempDir(), true);
        } else {
            this.sessionName = stored;
            if (!stored.equals(properties.sessionName())) {
                log.info("Recovered session {} from storage (launcher asked for {})", stored, properties.sessionName());
            }
        }
        kv.putString("", KvNamespaces.GCS_PID_KEY, Long.toString(ProcessHandle.current().pid()), true);

        this.nodes = new GcsNodeManager(new GcsTable<>(store, NODE_TABLE, GcsNodeInfo.parser()), publisher, clock,
                properties.maximumDeadNodeCachedCount());
        this.jobs = new GcsJobManager(new GcsTable<>(store, JOB_TABLE, JobTableData.parser()), store, publisher, clock);
        this.workers = new GcsWorkerManager(new GcsTable<>(store, WORKERS_TABLE, WorkerTableData.parser()), publisher, clock);
        this.healthChecks = new GcsHealthCheckManager(scheduler, properties.healthCheckInitialDelay(), properties.healthCheckPeriod(),
                properties.healthCheckTimeout(), properties.healthCheckFailureThreshold(), nodes::onNodeFailure);
        this.resources = new GcsResourceManager(nodes::isAlive, healthChecks::markHealthy);

        this.schedulingExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gcs-scheduling");
            t.setDaemon(true);
            return t;
        });
        java.util.function.Function<ByteString, java.util.Optional<GcsNodeInfo>> aliveNode =
                id -> id.size() == NodeId.SIZE ? nodes.getAliveNode(NodeId.fromBytes(id)) : java.util.Optional.empty();
        this.actorScheduler = new dev.stingray.gcs.actor.GcsActorScheduler(nodes::aliveNodes, aliveNode, schedulingExecutor, scheduler);
        this.runtimeEnvs = new dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager(kv, scheduler);
        this.actors = new dev.stingray.gcs.actor.GcsActorManager(new GcsTable<>(store, ACTOR_TABLE, ActorTableData.parser()),
                new GcsTable<>(store, ACTOR_TASK_SPEC_TABLE, TaskSpec.parser()), publisher, actorScheduler, aliveNode, clock,
                runtimeEnvs);
        this.placementGroups = new dev.stingray.gcs.placement.GcsPlacementGroupManager(new GcsTable<>(store, PLACEMENT_GROUP_TABLE,
                dev.stingray.proto.PlacementGroupTableData.parser()), resources::allViews, aliveNode, schedulingExecutor, scheduler, clock);

        nodes.initialize();
        jobs.initialize();
        // Running jobs hold their runtime env's packages again after a restart.
        jobs.handleGetAllJobInfo(null).stream().filter(j -> !j.getIsDead())
                .forEach(j -> runtimeEnvs.addReferences(jobHolder(j.getJobId()), j.getConfig().getSerializedRuntimeEnv(), j.getConfig().getCodeSearchPathList()));
        installEventListeners();
        actors.initialize();
        placementGroups.initialize();
        for (GcsNodeInfo node : nodes.aliveNodes()) {
            // Nodes stored ALIVE before a restart: resume their health checks; their raylets re-register.
            resources.onNodeAdded(node);
            healthChecks.addNode(node);
        }
        scheduler.scheduleWithFixedDelay(publisher::expire, 1, 1, TimeUnit.SECONDS);
        this.drivers = new dev.stingray.gcs.job.GcsDriverMonitor(jobs, scheduler, properties.driverCheckPeriod(),
                properties.healthCheckTimeout(), properties.healthCheckFailureThreshold(), jobs::handleMarkJobFinished);
        log.info("GCS ready: cluster {}, session {}, storage {}", HexFormat.of().formatHex(clusterId.toByteArray()), sessionName,
                properties.usesRedis() ? "redis " + properties.redisAddress() : "in-memory");
    }

    private void installEventListeners() {
        nodes.addListener(resources);
        nodes.addListener(actors);
        nodes.addListener(placementGroups);
        jobs.addFinishedListener(actors::onJobFinished);
        jobs.addFinishedListener(placementGroups::onJobFinished);
        jobs.addStartedListener(j -> runtimeEnvs.addReferences(jobHolder(j.getJobId()), j.getConfig().getSerializedRuntimeEnv(), j.getConfig().getCodeSearchPathList()));
        jobs.addFinishedListener(id -> runtimeEnvs.removeReferences(jobHolder(id)));
        workers.addFailureListener(w -> actors.onWorkerDead(w.getWorkerAddress().getWorkerId(),
                w.getExitType() == WorkerTableData.ExitType.INTENDED_USER_EXIT, w.getExitDetail()));
        nodes.addListener(new NodeListener() {
            @Override
            public void onNodeAdded(GcsNodeInfo node) {
                healthChecks.addNode(node);
            }

            @Override
            public void onNodeRemoved(GcsNodeInfo node) {
                healthChecks.remove(node.getNodeId());
                removeDiscoveryEntries(node);
            }
        });
    }

    /** A job's name as a holder of runtime-env package references. */
    private static String jobHolder(ByteString jobId) {
        return "job:" + HexFormat.of().formatHex(jobId.toByteArray());
    }

    /** A dead node's daemons leave the registry (DESIGN.md §2), with the dashboard agent's Ray keys. */
    private void removeDiscoveryEntries(GcsNodeInfo node) {
        String hex = NodeId.fromBytes(node.getNodeId()).hex();
        for (String key : kv.keysString(KvNamespaces.SERVICES, "")) {
            if (key.endsWith(":" + hex)) {
                kv.delString(KvNamespaces.SERVICES, key, false);
            }
        }
        kv.delString(KvNamespaces.DASHBOARD, KvNamespaces.DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX + hex, false);
        String ipKey = KvNamespaces.DASHBOARD_AGENT_ADDR_IP_PREFIX + node.getNodeManagerAddress();
        kv.getString(KvNamespaces.DASHBOARD, ipKey).filter(v -> v.contains(hex))
                .ifPresent(v -> kv.delString(KvNamespaces.DASHBOARD, ipKey, false));
    }

    /** The GCS announces itself in the registry by writing its own KV directly. */
    public void publishServiceRecord(ServiceRecord record) {
        kv.putString(KvNamespaces.SERVICES, record.key(), dev.stingray.common.discovery.ServiceRegistry.toJson(record), true);
    }

    public void withdrawServiceRecord(ServiceRecord record) {
        kv.delString(KvNamespaces.SERVICES, record.key(), false);
    }

    public StoreClient store() {
        return store;
    }

    public GcsPublisher publisher() {
        return publisher;
    }

    public GcsInternalKvManager kv() {
        return kv;
    }

    public GcsNodeManager nodes() {
        return nodes;
    }

    public GcsJobManager jobs() {
        return jobs;
    }

    public GcsWorkerManager workers() {
        return workers;
    }

    public dev.stingray.gcs.actor.GcsActorManager actors() {
        return actors;
    }

    public dev.stingray.gcs.placement.GcsPlacementGroupManager placementGroups() {
        return placementGroups;
    }

    public dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager runtimeEnvs() {
        return runtimeEnvs;
    }

    public GcsResourceManager resources() {
        return resources;
    }

    public ByteString clusterId() {
        return clusterId;
    }

    public String sessionName() {
        return sessionName;
    }

    @Override
    public void close() {
        drivers.stop();
        healthChecks.stop();
        scheduler.shutdownNow();
        schedulingExecutor.shutdownNow();
        actorScheduler.close();
        placementGroups.close();
    }
}
