package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

// gcHeadroom is how much the heap may grow past what is live before the collector runs. A mock
// keeps little live data (a description, some records) and allocates a little for every
// request, so with Go's default (grow by 100% of the live heap) a busy mock collects every few
// milliseconds and spends a tenth of its CPU doing so. Keeping at least this much headroom
// costs at most that much memory and gives the throughput back; past 64 MiB of live heap the
// default applies unchanged.
const gcHeadroom = 64 << 20

// baseMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is unset and the
// bounds are the defaults: what the mock holds is bounded in bytes (state, journal, caches,
// bodies in flight, connections; README "Limits") to well under it, and near it the collector
// works harder rather than letting the heap's headroom take the process past it.
const baseMemoryLimit = 768 << 20

// memoryLimit is the soft memory limit for o: the base, plus what o raises the bounds by (a
// larger journal, larger bodies), so that a mock configured to hold more is not made to
// collect without end.
func memoryLimit(o options) int64 {
	extra := max(0, o.journalBytes-mockserver.DefaultJournalBytes) +
		max(0, mockserver.BodyWeight*o.maxBody-mockserver.DefaultBodiesInFlight)
	return baseMemoryLimit + extra
}

// tuneGC sets the collector's target (GOGC) so that it leaves at least gcHeadroom of growth
// above the live heap, re-reading the live heap every interval as state grows and shrinks,
// under the soft limit (memoryLimit). A GOGC or GOMEMLIMIT the user set wins: then nothing is
// tuned.
func tuneGC(ctx context.Context, limit int64, interval time.Duration) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := 100
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if pct := gcPercent(sample[0].Value.Uint64()); pct*10 < current*9 || pct*10 > current*11 {
				debug.SetGCPercent(pct)
				current = pct
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// gcPercent is the GOGC that gives a live heap of live bytes gcHeadroom to grow: never below
// Go's default of 100, never above 1000 (a heap too small to measure).
func gcPercent(live uint64) int {
	if live == 0 {
		return 1000
	}
	return int(min(max(gcHeadroom*100/live, 100), 1000))
}
