package dev.jgo.sync;

/**
 * {@link ChanLincheckTest} at capacity 0. With no goroutine waiting every try operation would
 * block, so this checks the close races (a send after close throws, a receive after close reports
 * closed) and that nothing is ever buffered; the hand-off itself needs goroutines and is covered by
 * {@link ChanTest} and {@link ChanStressTest}.
 */
public class UnbufferedChanLincheckTest extends ChanLincheckTest {
    public UnbufferedChanLincheckTest() {
        super(0);
    }

    @Override
    int iterations() {
        return 5;
    }
}
