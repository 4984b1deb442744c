package dev.stingray.gcs.store;

class InMemoryStoreContractTest extends AbstractStoreContractTest {

    @Override
    protected StoreClient createStore() {
        return new InMemoryStoreClient();
    }
}
