package dev.stingray.e2e.actors;

/** An actor whose constructor throws. */
public class FailingActor {

    public FailingActor(String why) {
        throw new IllegalStateException(why);
    }

    public int never() {
        return 0;
    }
}
