// Command gobench runs the shapes of jgo's scheduler workloads on Go's own runtime, so that
// jgo's figures can be set beside Go's on the same machine. Each workload checks its result
// against the closed form and exits 1 on a mismatch. Output: one line per workload with the
// median of the measured runs in milliseconds.
//
//	CGO_ENABLED=0 go build -o gobench bench/go/gobench.go
//	GOMAXPROCS=4 ./gobench -n 1000000 -runs 5 -warmup 2
//	GOMAXPROCS=2 ./gobench -workload skynet -trace -runs 9   # the cost of runtime/trace
//	GOMAXPROCS=2 ./gobench -workload sleepers-lateness -n 100000 -spread 1000 -busy 1 -runs 5 -warmup 1
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// join mirrors jgo's bench Join: parties add values, one waiter resumes after the last.
type join struct {
	sum int64
	wg  sync.WaitGroup
}

func newJoin(parties int) *join {
	j := &join{}
	j.wg.Add(parties)
	return j
}

func (j *join) arrive(v int64) {
	atomic.AddInt64(&j.sum, v)
	j.wg.Done()
}

func (j *join) await() int64 {
	j.wg.Wait()
	return atomic.LoadInt64(&j.sum)
}

func triangle(n int) int64 { return int64(n) * int64(n-1) / 2 }

func skynetNode(parent *join, num, size int64) {
	if size == 1 {
		parent.arrive(num)
		return
	}
	k := int64(10)
	if size < k {
		k = size
	}
	j := newJoin(int(k))
	for i := int64(0); i < k; i++ {
		lo := num + i*size/k
		hi := num + (i+1)*size/k
		go skynetNode(j, lo, hi-lo)
	}
	parent.arrive(j.await())
}

func skynet(n int) int64 {
	root := newJoin(1)
	skynetNode(root, 0, int64(n))
	return root.await()
}

func spawnMany(n int) int64 {
	j := newJoin(n)
	for i := 0; i < n; i++ {
		v := int64(i)
		go j.arrive(v)
	}
	return j.await()
}

func yieldMany(n int) int64 {
	gs := 2 * runtime.GOMAXPROCS(0)
	each := n / gs
	j := newJoin(gs)
	for g := 0; g < gs; g++ {
		go func() {
			for i := 0; i < each; i++ {
				runtime.Gosched()
			}
			j.arrive(int64(each))
		}()
	}
	return j.await()
}

// shortSleeps: one goroutine sleeps 200 us n times (jgo's short-sleeps workload; Go's
// netpoller is always in use for timers).
func shortSleeps(n int) int64 {
	var done int64
	for i := 0; i < n; i++ {
		time.Sleep(200 * time.Microsecond)
		done++
	}
	return done
}

func chainLink(j *join, i int, acc int64, n int) {
	next := acc + int64(i)
	if i == n-1 {
		j.arrive(next)
	} else {
		go chainLink(j, i+1, next, n)
	}
}

func chainedSpawn(n int) int64 {
	j := newJoin(1)
	go chainLink(j, 0, 0, n)
	return j.await()
}

func pingPong(n int) int64 {
	ping, pong := make(chan int64), make(chan int64)
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	var sum int64
	for i := 0; i < n; i++ {
		ping <- int64(i)
		sum += <-pong
	}
	return sum
}

// work is jgo's Sleepers.work: a chunk of CPU work (tens of microseconds) between yields.
func work(x int64) int64 {
	for i := 0; i < 20000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// sleepersLateness is jgo's bench SleepLateness: n goroutines each sleep 1 + (i*7919)%spread ms
// while busy goroutines do chunks of work and yield until the last sleeper woke; it returns each
// sleeper's lateness (resumption minus due time, taken just before the sleep). The busy
// goroutines stop after 2*spread ms + 2 s at the latest, as jgo's do.
func sleepersLateness(n, spread, busy int) []time.Duration {
	late := make([]time.Duration, n)
	var done int32
	var load sync.WaitGroup
	load.Add(busy)
	for b := 0; b < busy; b++ {
		go func() {
			x := int64(1)
			end := time.Now().Add(time.Duration(2*spread+2000) * time.Millisecond)
			for atomic.LoadInt32(&done) == 0 && time.Now().Before(end) {
				x = work(x)
				runtime.Gosched()
			}
			if x == 0 {
				fmt.Print("")
			}
			load.Done()
		}()
	}
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		k := i
		go func() {
			d := time.Duration(1+(int64(k)*7919)%int64(spread)) * time.Millisecond
			due := time.Now().Add(d)
			time.Sleep(d)
			late[k] = time.Since(due)
			wg.Done()
		}()
	}
	wg.Wait()
	atomic.StoreInt32(&done, 1)
	load.Wait()
	return late
}

// latenessRuns prints each run's lateness p50/p99/max and the medians over the measured runs.
func latenessRuns(n, spread, busyPer, runs, warmup int) {
	busy := busyPer * runtime.GOMAXPROCS(0)
	fmt.Printf("# sleepers-lateness n=%d spread=%d ms busy=%d\n", n, spread, busy)
	var rows [][3]float64
	for r := 0; r < warmup+runs; r++ {
		runtime.GC()
		late := sleepersLateness(n, spread, busy)
		sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		row := [3]float64{ms(late[n/2]), ms(late[int(float64(n)*0.99)]), ms(late[n-1])}
		fmt.Printf("run %d  go p50 %7.2f p99 %7.2f max %7.2f ms\n", r, row[0], row[1], row[2])
		if r >= warmup {
			rows = append(rows, row)
		}
	}
	var med [3]float64
	for c := 0; c < 3; c++ {
		v := make([]float64, len(rows))
		for i, row := range rows {
			v[i] = row[c]
		}
		sort.Float64s(v)
		med[c] = v[len(v)/2]
	}
	fmt.Printf("median  go p50 %7.2f p99 %7.2f max %7.2f ms\n", med[0], med[1], med[2])
}

type workload struct {
	name     string
	run      func(int) int64
	expected func(int) int64
}

func main() {
	n := flag.Int("n", 1000000, "size of every workload")
	runs := flag.Int("runs", 5, "measured runs (median reported)")
	warmup := flag.Int("warmup", 2, "unmeasured runs first")
	only := flag.String("workload", "", "comma-separated workload names (default: all)")
	spread := flag.Int("spread", 1000, "sleepers-lateness: sleeps spread over this many ms")
	busy := flag.Int("busy", 1, "sleepers-lateness: busy yielding goroutines per GOMAXPROCS")
	traced := flag.Bool("trace", false, "alternate each run without and with runtime/trace (to a discarding writer) and report both, with process CPU time")
	flag.Parse()
	all := []workload{
		{"skynet", skynet, triangle},
		{"spawn-many", spawnMany, triangle},
		{"yield-many", yieldMany, func(n int) int64 { gs := 2 * runtime.GOMAXPROCS(0); return int64(n / gs * gs) }},
		{"chained-spawn", chainedSpawn, triangle},
		{"ping-pong", pingPong, triangle},
		{"short-sleeps", shortSleeps, func(n int) int64 { return int64(n) }},
	}
	fmt.Printf("# %s GOMAXPROCS=%d n=%d runs=%d warmup=%d\n", runtime.Version(), runtime.GOMAXPROCS(0), *n, *runs, *warmup)
	if *only == "sleepers-lateness" {
		latenessRuns(*n, *spread, *busy, *runs, *warmup)
		return
	}
	nSet := false
	flag.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
	for _, w := range all {
		if *only != "" && !strings.Contains(","+*only+",", ","+w.name+",") {
			continue
		}
		wn := *n
		if w.name == "short-sleeps" && !nSet {
			wn = 2000 // 200 us each: the default n would sleep for 20 minutes (jgo's default is 2,000 too)
		}
		if *traced {
			traceCost(w, *runs, *warmup, wn)
			continue
		}
		var ms []float64
		for r := 0; r < *warmup+*runs; r++ {
			runtime.GC()
			t0 := time.Now()
			got := w.run(wn)
			el := time.Since(t0)
			if want := w.expected(wn); got != want {
				fmt.Fprintf(os.Stderr, "%s: result %d, expected %d\n", w.name, got, want)
				os.Exit(1)
			}
			if r >= *warmup {
				ms = append(ms, float64(el.Microseconds())/1000)
			}
		}
		sort.Float64s(ms)
		fmt.Printf("%-20s %10.1f\n", w.name, ms[len(ms)/2])
	}
}

// cpuNow is the process's user+system CPU time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// traceCost runs w alternately without and with the execution tracer (writing to io.Discard)
// and prints the medians of wall and CPU time of each mode and their ratios, as jgo's
// docs/profiler-overhead/Overhead.java does for jgo's tracer.
func traceCost(w workload, runs, warmup, n int) {
	modes := []string{"off", "trace"}
	wall := map[string][]float64{}
	cpu := map[string][]float64{}
	for r := 0; r < warmup+runs; r++ {
		for _, m := range modes {
			runtime.GC()
			if m == "trace" {
				if err := trace.Start(io.Discard); err != nil {
					panic(err)
				}
			}
			c0, t0 := cpuNow(), time.Now()
			got := w.run(n)
			el, ec := time.Since(t0), cpuNow()-c0
			if m == "trace" {
				trace.Stop()
			}
			if want := w.expected(n); got != want {
				fmt.Fprintf(os.Stderr, "%s: result %d, expected %d\n", w.name, got, want)
				os.Exit(1)
			}
			if r >= warmup {
				wall[m] = append(wall[m], float64(el.Microseconds())/1000)
				cpu[m] = append(cpu[m], float64(ec.Microseconds())/1000)
			}
		}
	}
	med := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	wb, cb := med(wall["off"]), med(cpu["off"])
	for _, m := range modes {
		wm, cm := med(wall[m]), med(cpu[m])
		fmt.Printf("%-14s %-6s wall median %8.1f ms ratio %.3f   cpu median %8.1f ms ratio %.3f\n", w.name, m, wm, wm/wb, cm, cm/cb)
	}
}
