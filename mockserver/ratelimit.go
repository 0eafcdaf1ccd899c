package mockserver

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mockserver/mockserver/mockserver/opsel"
)

// RateLimit caps how often an operation may be called in a window.
type RateLimit struct {
	// Operation selects the operations limited: an operationId or "METHOD /path/template"
	// (case-insensitive but for the template; see package opsel), or "*" for every operation.
	// The calls to every operation a limit selects count together.
	Operation string
	Limit     int
	Window    time.Duration
	// Per says whose calls count together: "caller" (the credential; the default), "session"
	// or "all".
	Per string
}

// limiter counts calls in fixed windows.
type limiter struct {
	rules []RateLimit
	sels  []opsel.Selector // rules[i].Operation, parsed
	// mu guards windows.
	mu      sync.Mutex
	windows map[limitKey]*window
}

type limitKey struct {
	rule int
	who  string
}

type window struct {
	start time.Time
	count int
}

// maxWindows bounds the counters kept; past it, expired windows are dropped, then all.
const maxWindows = 100000

// newLimiter checks the rules and parses their selectors. Whether a selector names a served
// operation is for the caller to check (see Server.resolveOperation).
func newLimiter(rules []RateLimit) (*limiter, error) {
	sels := make([]opsel.Selector, len(rules))
	for i, r := range rules {
		sel, err := opsel.Parse(r.Operation)
		if err != nil {
			return nil, fmt.Errorf("rate limit %d: %w", i+1, err)
		}
		sels[i] = sel
		if r.Limit <= 0 || r.Window <= 0 {
			return nil, fmt.Errorf("rate limit %d (%s): want a positive limit and window", i+1, r.Operation)
		}
		switch r.Per {
		case "", "caller", "session", "all":
		default:
			return nil, fmt.Errorf("rate limit %d (%s): per must be caller, session or all, got %q", i+1, r.Operation, r.Per)
		}
	}
	return &limiter{rules: rules, sels: sels, windows: map[limitKey]*window{}}, nil
}

// limitState is what a request learned from the limiter.
type limitState struct {
	rule      *RateLimit
	remaining int
	reset     time.Duration
	exceeded  bool
}

// take counts a call of x and reports the tightest limit that applies.
func (l *limiter) take(x *exchange, now time.Time) *limitState {
	if l == nil || len(l.rules) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var worst *limitState
	for i := range l.rules {
		r := &l.rules[i]
		if !l.sels[i].Matches(x.op.ID, x.op.Method, x.op.Path) {
			continue
		}
		who := ""
		switch r.Per {
		case "session":
			who = sessionOf(x.r)
		case "all":
		default:
			if id := x.identity; id != nil {
				who = id.token
			}
		}
		k := limitKey{i, who}
		w := l.windows[k]
		if w == nil || now.Sub(w.start) >= r.Window {
			if w == nil && len(l.windows) >= maxWindows {
				l.sweep(now)
			}
			w = &window{start: now}
			l.windows[k] = w
		}
		w.count++
		st := &limitState{rule: r, remaining: max(0, r.Limit-w.count), reset: r.Window - now.Sub(w.start), exceeded: w.count > r.Limit}
		if worst == nil || st.exceeded && !worst.exceeded || st.remaining < worst.remaining {
			worst = st
		}
	}
	return worst
}

func (l *limiter) sweep(now time.Time) {
	for k, w := range l.windows {
		if now.Sub(w.start) >= l.rules[k.rule].Window {
			delete(l.windows, k)
		}
	}
	if len(l.windows) >= maxWindows {
		clear(l.windows)
	}
}

// headers adds the RateLimit-* fields (and Retry-After when exceeded).
func (st *limitState) headers(h http.Header) {
	secs := int((st.reset + time.Second - 1) / time.Second)
	h.Set("RateLimit-Limit", strconv.Itoa(st.rule.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(st.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(secs))
	if st.exceeded {
		h.Set("Retry-After", strconv.Itoa(secs))
	}
}

// rateLimited answers a call past its limit: the documented 429 (else a problem).
func (s *Server) rateLimited(x *exchange, st *limitState) *reply {
	var rep *reply
	if key := responseKey(x.op.Op.Responses, http.StatusTooManyRequests); key != "" {
		rep = s.render(x, key, http.StatusTooManyRequests, x.pref.Example, SourceExample)
		if rep.Problem == nil {
			rep.Source = "ratelimit+" + rep.Source
		}
	} else {
		p := newProblem(http.StatusTooManyRequests, fmt.Sprintf("more than %d calls in %s", st.rule.Limit, st.rule.Window))
		p.Operation = x.op.ID
		rep = problemReply(p, "ratelimit")
	}
	return rep
}
