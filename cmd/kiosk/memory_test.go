package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"kiosk/content"
)

func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	debug.SetMemoryLimit(1 << 40)
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("limit %d MiB", got>>20)
	}
	// A limit the operator sets wins.
	t.Setenv("GOMEMLIMIT", "2GiB")
	debug.SetMemoryLimit(1 << 40)
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("GOMEMLIMIT overridden: %d MiB", got>>20)
	}
}

// writeVariedPack writes a pack of one document at the size limit: random
// Han characters, so nearly every bigram is new (the worst case for the
// index), in MaxDocSections sections.
func writeVariedPack(t *testing.T, dir string) {
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "pack.toml"), []byte("title = \"t\"\nversion = \"1\"\npublished = \"2019-01-22\"\npublisher = \"p\"\n"), 0o644)
	rng := rand.New(rand.NewPCG(4, 2))
	var b strings.Builder
	b.WriteString("---\n标题: t\n索引号: mem/1\n发布机构: p\n发布日期: 2019-01-22\n公开目录: c\n公开方式: 主动公开\n---\n")
	limit := int(content.DefaultLimits().MaxFileBytes)
	per := (limit - b.Len()) / content.MaxDocSections
	for s := range content.MaxDocSections {
		start := b.Len()
		fmt.Fprintf(&b, "## 第%d节\n", s+1)
		for b.Len()-start < per-8 {
			b.WriteRune(rune(0x4e00 + rng.IntN(0x9fa5-0x4e00)))
			if rng.IntN(40) == 0 {
				b.WriteString("。")
			}
		}
		b.WriteString("\n")
	}
	os.WriteFile(filepath.Join(dir, "doc.md"), []byte(b.String()), 0o644)
}

// TestLoadMemory loads a document at the limits with the real binary and
// checks its peak RSS: 1,036 MB before the search index bounded its
// batches by bytes and without the memory limit; 433 MiB with batches of
// at most 512 KiB of text, 402 MiB with the limit too (measured). It takes
// ~20 s: run with KIOSK_MEMORY_TEST=1.
func TestLoadMemory(t *testing.T) {
	if os.Getenv("KIOSK_MEMORY_TEST") == "" {
		t.Skip("set KIOSK_MEMORY_TEST=1 to load a 4 MiB document of varied Chinese and measure the peak memory (~20 s)")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(t.TempDir(), "pack")
	writeVariedPack(t, pack)
	cmd := exec.Command(bin, "--data", t.TempDir(), "content", "load", pack)
	cmd.Env = append(os.Environ(), "GOMEMLIMIT=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // KiB → MiB
	t.Logf("peak RSS %d MiB", rss)
	if rss > 450 {
		t.Errorf("peak RSS %d MiB loading one 4 MiB document", rss)
	}
}
