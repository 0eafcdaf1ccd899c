package state

import (
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
)

// The collector's cost of what the store holds: the sessions POST mix of bench/run.sh
// (petstore creates, three fields each, spread over 500 sessions, up to the 100,000 records
// all sessions may hold together), without HTTP. Compare runs with benchstat.

// fillSessions creates n records of the bench's shape in 500 sessions, as the mix does.
func fillSessions(tb testing.TB, s *Store, n int) {
	for i := range n {
		id := strconv.Itoa(1_000_000 + i)
		rec := Record{"id": int64(1_000_000 + i), "name": "Rex", "tag": "dog"}
		if _, err := s.Update("bench-"+strconv.Itoa(i%500), pet(id), func(Record, bool, View) (Record, error) { return rec, nil }); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkGCMark: one full collection with 100,000 records stored (the store's default
// MaxTotalRecords). Its time is the mark work every cycle of a server holding them does.
func BenchmarkGCMark(b *testing.B) {
	s := New(Limits{}, nil)
	fillSessions(b, s, 100_000)
	for b.Loop() {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MiB")
	runtime.KeepAlive(s)
}

// BenchmarkSessionsCreate: creates spread over 500 sessions on a store already holding
// 100,000 records (past MaxTotalRecords, the least recently used sessions are evicted), with
// a request's worth of garbage allocated beside each, as a server does. gc-% is the
// collector's share of the CPU the loop took (runtime/metrics), GOGC as the caller set it.
func BenchmarkSessionsCreate(b *testing.B) {
	s := New(Limits{}, nil)
	fillSessions(b, s, 100_000)
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	runtime.GC()
	metrics.Read(samples)
	gc0, total0, idle0 := samples[0].Value.Float64(), samples[1].Value.Float64(), samples[2].Value.Float64()
	var sink []byte
	i := 100_000
	b.ReportAllocs()
	for b.Loop() {
		i++
		id := strconv.Itoa(1_000_000 + i)
		rec := Record{"id": int64(1_000_000 + i), "name": "Rex", "tag": "dog"}
		if _, err := s.Update("bench-"+strconv.Itoa(i%500), pet(id), func(Record, bool, View) (Record, error) { return rec, nil }); err != nil {
			b.Fatal(err)
		}
		sink = make([]byte, 8<<10) // a request's garbage: what makes the collector run
	}
	b.StopTimer()
	metrics.Read(samples)
	gc, total, idle := samples[0].Value.Float64()-gc0, samples[1].Value.Float64()-total0, samples[2].Value.Float64()-idle0
	if busy := total - idle; busy > 0 {
		b.ReportMetric(100*gc/busy, "gc-%")
	}
	runtime.KeepAlive(sink)
}
