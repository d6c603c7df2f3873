package dev.jgo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RuntimeConfigDefaultsTest {
    @Test
    void gomaxprocsIsReadAsGoReadsIt() {
        assertEquals(0, RuntimeConfig.parseGomaxprocs(null));
        assertEquals(0, RuntimeConfig.parseGomaxprocs(""));
        assertEquals(0, RuntimeConfig.parseGomaxprocs("0"));
        assertEquals(0, RuntimeConfig.parseGomaxprocs("-2"));
        assertEquals(0, RuntimeConfig.parseGomaxprocs("two"));
        assertEquals(0, RuntimeConfig.parseGomaxprocs("99999999999"));
        assertEquals(1, RuntimeConfig.parseGomaxprocs("1"));
        assertEquals(12, RuntimeConfig.parseGomaxprocs(" 12 "));
        assertEquals(RuntimeConfig.MAX_PROCS, RuntimeConfig.parseGomaxprocs("" + RuntimeConfig.MAX_PROCS));
        assertEquals(0, RuntimeConfig.parseGomaxprocs("" + (RuntimeConfig.MAX_PROCS + 1)));
    }
}
