package index

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func benchReport(rs []*benchResult, c *benchCorpus) string {
	var b strings.Builder
	if len(rs) == 1 { // KIOSK_BENCH_STOCK=0: the stock column repeats ours
		rs = append(rs, rs[0])
	}
	a, s := rs[0], rs[1]
	fmt.Fprintf(&b, "Load average at the end: %s\n", loadAvg())
	fmt.Fprintf(&b, "Corpus: %s (%s): %d synthetic documents, %d sections, %.1f MB of text; GOMAXPROCS=%d\n\n",
		c.name, c.about, a.docs, a.sections, mb(int64(a.textBytes)), runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "| | %s | %s |\n|---|---|---|\n", a.name, s.name)
	row := func(label string, f func(r *benchResult) string) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", label, f(a), f(s))
	}
	row("build", func(r *benchResult) string {
		return fmt.Sprintf("%.1f s, %.0f docs/s (CPU %.0f s: %.0f docs per CPU-second)", r.build.Seconds(), float64(r.docs)/r.build.Seconds(),
			r.buildCPU.Seconds(), float64(r.docs)/r.buildCPU.Seconds())
	})
	row("index size", func(r *benchResult) string {
		return fmt.Sprintf("%.0f MB (%.2f× text)", mb(r.indexBytes), float64(r.indexBytes)/float64(r.textBytes))
	})
	row("peak RSS while building", func(r *benchResult) string {
		return fmt.Sprintf("%.0f MB (%.0f MB before: corpus in memory)", mb(r.rssPeak), mb(r.rssBefore))
	})
	row("open + first query", func(r *benchResult) string {
		return fmt.Sprintf("%s (open %s)", ms(r.coldFirst), ms(r.coldOpen))
	})
	for _, k := range benchKinds {
		row("p50/p95/p99 "+k, func(r *benchResult) string {
			l := r.lat[k]
			return fmt.Sprintf("%s / %s / %s ms (CPU %s ms/query; %d/%d queries find something, %d sections each on average)",
				msn(l[0]), msn(l[1]), msn(l[2]), msn(r.cpuPerQuery[k]), r.found[k], len(c.queries[k]), r.meanTotal[k])
		})
	}
	row("top-10 precision on the seed", func(r *benchResult) string {
		return fmt.Sprintf("%.2f (%d queries); wanted section in top 3: %d/%d", r.precision, r.precisionN, r.top3, r.precisionN)
	})
	fmt.Fprintf(&b, "\np95 speed-up over stock: ")
	for _, k := range benchKinds {
		if s.found[k] == 0 {
			fmt.Fprintf(&b, "%s n/a (stock finds nothing);  ", k)
			continue
		}
		fmt.Fprintf(&b, "%s %.1f×;  ", k, float64(s.lat[k][1])/float64(max(a.lat[k][1], 1)))
	}
	b.WriteString("\n")
	return b.String()
}

func loadAvg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(data))[:min(3, len(strings.Fields(string(data))))], " ")
}

func mb(n int64) float64         { return float64(n) / (1 << 20) }
func ms(d time.Duration) string  { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
func msn(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
func dropCaches()   { _ = os.WriteFile("/proc/sys/vm/drop_caches", []byte("1"), 0) }
func dirSize(dir string) (n int64) {
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// rss reads a memory figure of /proc/self/status in bytes (0 if unknown).
func rss(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
