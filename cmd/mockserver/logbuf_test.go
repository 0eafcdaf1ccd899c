package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLineBuffer: lines written by many goroutines come out whole, within flushEvery, and
// nothing is lost on Close.
func TestLineBuffer(t *testing.T) {
	var out syncBuffer
	b := newLineBuffer(&out)
	b.Write([]byte("first\n"))
	deadline := time.Now().Add(20 * flushEvery)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(flushEvery / 4)
	}
	if got := out.String(); got != "first\n" {
		t.Fatalf("after the flush interval: %q", got)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(b, "goroutine %d line %d %s\n", g, i, strings.Repeat("x", 100))
			}
		}()
	}
	wg.Wait()
	b.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1+8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 1+8*500)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, strings.Repeat("x", 100)) {
			t.Fatalf("a line came out torn: %q", l)
		}
	}
}
