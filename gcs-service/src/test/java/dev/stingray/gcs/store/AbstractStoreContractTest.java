package dev.stingray.gcs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.kv.GcsInternalKvManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link StoreClient} meets, and Ray's internal-KV semantics on top of it. Runs
 * once per backend (in memory, a real Redis).
 */
abstract class AbstractStoreContractTest {

    protected StoreClient store;
    private GcsInternalKvManager kv;

    protected abstract StoreClient createStore();

    @BeforeEach
    void setUp() {
        store = createStore();
        kv = new GcsInternalKvManager(store, 1024);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void putReportsWhetherTheKeyWasNew() {
        assertThat(store.put("T", b("k"), b("v1"), true)).isTrue();
        assertThat(store.put("T", b("k"), b("v2"), true)).isFalse();
        assertThat(store.get("T", b("k"))).contains(b("v2"));
    }

    @Test
    void putWithoutOverwriteKeepsTheExistingValue() {
        assertThat(store.put("T", b("k"), b("v1"), false)).isTrue();
        assertThat(store.put("T", b("k"), b("v2"), false)).isFalse();
        assertThat(store.get("T", b("k"))).contains(b("v1"));
    }

    @Test
    void tablesAreSeparate() {
        store.put("A", b("k"), b("a"), true);
        store.put("B", b("k"), b("b"), true);
        assertThat(store.get("A", b("k"))).contains(b("a"));
        assertThat(store.getAll("B")).containsExactly(Map.entry(b("k"), b("b")));
    }

    @Test
    void multiGetReturnsOnlyExistingKeys() {
        store.put("T", b("a"), b("1"), true);
        store.put("T", b("c"), b("3"), true);
        assertThat(store.multiGet("T", List.of(b("a"), b("b"), b("c")))).containsOnlyKeys(b("a"), b("c"));
    }

    @Test
    void keysAndDeletesByPrefixIncludingGlobCharactersAndBinaryKeys() {
        store.put("T", b("job*1"), b("x"), true);
        store.put("T", b("job*2"), b("x"), true);
        store.put("T", b("jobX"), b("x"), true);
        ByteString binary = ByteString.copyFrom(new byte[] {(byte) 0xff, 0x00, 0x01});
        store.put("T", binary, b("bin"), true);
        assertThat(store.keys("T", b("job*"))).containsExactlyInAnyOrder(b("job*1"), b("job*2"));
        assertThat(store.keys("T", ByteString.copyFrom(new byte[] {(byte) 0xff}))).containsExactly(binary);
        assertThat(store.batchDelete("T", store.keys("T", b("job*")))).isEqualTo(2);
        assertThat(store.keys("T", ByteString.EMPTY)).containsExactlyInAnyOrder(b("jobX"), binary);
        assertThat(store.delete("T", b("jobX"))).isTrue();
        assertThat(store.delete("T", b("jobX"))).isFalse();
        assertThat(store.exists("T", binary)).isTrue();
    }

    @Test
    void jobCounterIncreases() {
        int first = store.nextJobId();
        assertThat(store.nextJobId()).isEqualTo(first + 1);
        assertThat(store.isHealthy()).isTrue();
    }

    // ---------------------------------------------------------------- Ray's KV semantics

    @Test
    void kvNamespacesAreIsolatedAndStoredWithRaysPrefix() {
        kv.handlePut(b("ns1"), b("key"), b("one"), true);
        kv.handlePut(b("ns2"), b("key"), b("two"), true);
        kv.handlePut(ByteString.EMPTY, b("key"), b("raw"), true);
        assertThat(kv.handleGet(b("ns1"), b("key"))).isEqualTo(b("one"));
        assertThat(kv.handleGet(b("ns2"), b("key"))).isEqualTo(b("two"));
        assertThat(store.get(GcsInternalKvManager.TABLE, b("@namespace_ns1:key"))).contains(b("one"));
        assertThat(store.get(GcsInternalKvManager.TABLE, b("key"))).contains(b("raw"));
    }

    @Test
    void kvGetOfAMissingKeyIsNotFound() {
        assertThatThrownBy(() -> kv.handleGet(b("ns"), b("missing")))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("missing");
    }

    @Test
    void kvPutOverwriteAndAdded() {
        assertThat(kv.handlePut(b("ns"), b("k"), b("v1"), false)).isTrue();
        assertThat(kv.handlePut(b("ns"), b("k"), b("v2"), false)).isFalse();
        assertThat(kv.handleGet(b("ns"), b("k"))).isEqualTo(b("v1"));
        assertThat(kv.handlePut(b("ns"), b("k"), b("v3"), true)).isFalse();
        assertThat(kv.handleGet(b("ns"), b("k"))).isEqualTo(b("v3"));
    }

    @Test
    void kvKeysStripTheNamespaceAndDelByPrefixCounts() {
        kv.handlePut(b("ns"), b("a/1"), b("x"), true);
        kv.handlePut(b("ns"), b("a/2"), b("x"), true);
        kv.handlePut(b("ns"), b("b/1"), b("x"), true);
        kv.handlePut(b("other"), b("a/3"), b("x"), true);
        assertThat(kv.handleKeys(b("ns"), b("a/"))).containsExactlyInAnyOrder(b("a/1"), b("a/2"));
        assertThat(kv.handleMultiGet(b("ns"), List.of(b("a/1"), b("zz")))).containsOnlyKeys(b("a/1"));
        assertThat(kv.handleDel(b("ns"), b("a/"), true)).isEqualTo(2);
        assertThat(kv.handleDel(b("ns"), b("b/1"), false)).isEqualTo(1);
        assertThat(kv.handleExists(b("ns"), b("b/1"))).isFalse();
        assertThat(kv.handleExists(b("other"), b("a/3"))).isTrue();
    }

    @Test
    void kvRejectsReservedPrefixAndOversizeValuesWithoutTouchingStoredData() {
        kv.handlePut(b("ns"), b("keep"), b("safe"), true);
        assertThatThrownBy(() -> kv.handlePut(b("ns"), b("@namespace_evil:keep"), b("x"), true))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("@namespace_evil:keep");
        assertThatThrownBy(() -> kv.handlePut(b("ns"), b("keep"), ByteString.copyFrom(new byte[2048]), true))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("2048 bytes").hasMessageContaining("1024");
        assertThat(kv.handleGet(b("ns"), b("keep"))).isEqualTo(b("safe"));
    }
}
