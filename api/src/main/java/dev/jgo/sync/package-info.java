/**
 * Go's synchronization for goroutines: channels ({@link dev.jgo.sync.Chan}, with the directional
 * {@link dev.jgo.sync.SendChan} and {@link dev.jgo.sync.RecvChan} and the nil channel), {@link
 * dev.jgo.sync.Select}, the {@code sync} package's {@link dev.jgo.sync.Mutex}, {@link
 * dev.jgo.sync.RWMutex}, {@link dev.jgo.sync.Locker}, {@link dev.jgo.sync.Cond}, {@link
 * dev.jgo.sync.WaitGroup} and {@link dev.jgo.sync.Once}, and {@code golang.org/x/sync}'s {@link
 * dev.jgo.sync.ErrGroup} and {@link dev.jgo.sync.Semaphore}.
 *
 * <p>Everything here is built only on the {@link dev.jgo.spi.Carrier} park/ready SPI, so any
 * scheduler implementation can run it. Blocking operations park the calling goroutine, never its
 * carrier thread, except where the goroutine cannot leave its carrier: inside {@link
 * dev.jgo.Go#blocking}, where it holds no P, or pinned; there the carrier thread blocks, as the
 * blocking call around it may, and the operation works as anywhere else. Every blocking
 * operation must be called from a goroutine: from any other thread {@link
 * dev.jgo.spi.Carrier#current()} throws {@link IllegalStateException} before any state is
 * touched; the types say which of their operations any thread may call.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.sync;
