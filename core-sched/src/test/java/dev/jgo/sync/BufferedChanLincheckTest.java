package dev.jgo.sync;

/** {@link ChanLincheckTest} at capacity 2: full buffer, ring wrap-around, close with values buffered. */
public class BufferedChanLincheckTest extends ChanLincheckTest {
    public BufferedChanLincheckTest() {
        super(2);
    }

    @Override
    int iterations() {
        return 15;
    }
}
