package mockserver

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mockserver/mockserver/mockserver/scenario"
)

// Reload builds a new Server from the same configuration, reading the descriptions and
// fixtures as they are now, and hands it the runtime state of s (handOver): the sessions'
// records of the resources that still exist, the scenarios put at run time and every
// scenario's progress, the rate limits' counters, the id counters and the journal; coverage
// starts again. A broken edit leaves s as it was and the error says why.
//
// The state is handed over, not copied: from then on s and the new Server share it, so that a
// write s acknowledges while the caller swaps versions is seen by the new one. s keeps serving
// the requests it has started; it should serve no new ones once the new Server is swapped in.
func (s *Server) Reload(ctx context.Context) (*Server, error) {
	n, err := New(ctx, s.cfg)
	if err != nil {
		return nil, err
	}
	handOver(s, n)
	return n, nil
}

// handOver gives n, built from the files as they are now and not yet serving, the runtime
// state of old as one value (runtime.handedTo), and the engine over it.
func handOver(old, n *Server) {
	n.runtime = old.runtime.handedTo(n)
	n.engine = n.newEngine(n.ids)
}

// handedTo is the runtime n (a new version, not yet serving) continues from rt: n's store with
// rt's sessions (of the resources n still has), rt's scenarios taking in n's files (keeping the
// run-time ones n can honour, and the progress), the rate limits' counters, the id counters and
// the journal; n's own coverage. Shared, not copied, where the type allows: rt's version may
// still finish requests, and what it acknowledges is kept.
func (rt *runtime) handedTo(n *Server) *runtime {
	n.store.Handover(rt.store, func(resource string) bool { return n.shapes[resource] != nil })
	rt.scenarios.Reload(n.scenarios, func(sc scenario.Scenario) bool { return n.checkScenario(sc) == nil })
	return &runtime{
		store:     n.store,
		limits:    n.limits.takeOver(rt.limits),
		scenarios: rt.scenarios,
		ids:       rt.ids, // shared: no id is handed out twice
		journal:   rt.journal,
		coverage:  n.coverage,
		bodies:    rt.bodies, // rt's version may still be reading bodies
	}
}

// takeOver returns the limiter the new version l belongs to uses: old itself when the rules
// are the same, its counters shared; else l, with the counters of the rules both have copied
// (calls old counts after the copy are not carried). l is not serving yet.
func (l *limiter) takeOver(old *limiter) *limiter {
	if l == nil || old == nil {
		return l
	}
	if slices.Equal(l.rules, old.rules) {
		return old
	}
	same := map[int]int{} // old rule → l's
	for i, r := range old.rules {
		if j := slices.Index(l.rules, r); j >= 0 {
			same[i] = j
		}
	}
	old.mu.Lock()
	defer old.mu.Unlock()
	for k, w := range old.windows {
		if j, ok := same[k.rule]; ok {
			l.windows[limitKey{j, k.who}] = &window{start: w.start, count: w.count}
		}
	}
	return l
}

// Live serves a Server that reloads replace atomically: a request is answered entirely by the
// version it started on.
type Live struct {
	cur atomic.Pointer[Server]
	// mu serialises reloads, so that each hands over from the version the last one made.
	mu sync.Mutex
}

// NewLive serves s until a reload replaces it. Call it before s serves: it records that
// the scenarios s holds come from the fixture files (a reload reads those again and carries
// the ones the control API puts later over).
func NewLive(s *Server) *Live {
	s.scenarios.MarkFiles()
	l := &Live{}
	l.cur.Store(s)
	return l
}

// Server returns the version being served.
func (l *Live) Server() *Server { return l.cur.Load() }

// ServeHTTP answers with the current version.
func (l *Live) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.cur.Load().ServeHTTP(w, r) }

// Reload loads the files again and, if they are usable, swaps the new version in. On error the
// old version keeps serving and the error says why.
func (l *Live) Reload(ctx context.Context) (*Server, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.cur.Load().Reload(ctx)
	if err != nil {
		return nil, err
	}
	l.cur.Store(n)
	return n, nil
}
