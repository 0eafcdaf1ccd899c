package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// delay is a fixed or ranged wait before answering.
type delay struct{ Min, Max time.Duration }

// maxDelay bounds any delay a client or scenario asks for.
const maxDelay = 2 * time.Minute

// parseDelay reads "250" (milliseconds) or "100-300" (a range).
func parseDelay(v string) (delay, error) {
	lo, hi, ranged := strings.Cut(strings.TrimSpace(v), "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil || a < 0 {
		return delay{}, fmt.Errorf("want milliseconds (250) or a range (100-300), got %q", v)
	}
	b := a
	if ranged {
		if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a {
			return delay{}, fmt.Errorf("want milliseconds (250) or a range (100-300), got %q", v)
		}
	}
	d := delay{time.Duration(a) * time.Millisecond, time.Duration(b) * time.Millisecond}
	if d.Max > maxDelay {
		return delay{}, fmt.Errorf("at most %s, got %q", maxDelay, v)
	}
	return d, nil
}

func (d delay) zero() bool { return d.Max == 0 }

// pick chooses a wait in the range from r (a seed), so that a run can be replayed.
func (d delay) pick(r uint64) time.Duration {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + time.Duration(r%uint64(d.Max-d.Min+1))
}

// wait sleeps for d unless the request is cancelled first.
func wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Faults a client or scenario can ask for.
var faultKinds = []string{"reset", "empty", "malformed", "trickle"}

func knownFault(k string) bool {
	for _, f := range faultKinds {
		if f == k {
			return true
		}
	}
	return false
}

// writeFault answers the reply broken on purpose: "reset" drops the connection with a TCP
// reset, "empty" closes it without a byte, "malformed" sends the status and headers with a
// body cut in half, "trickle" sends the body a few bytes at a time.
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, x *exchange, rep *reply, kind string) {
	switch kind {
	case "reset", "empty":
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler) // no connection to break: abort the response
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if tc, ok := conn.(*net.TCPConn); ok && kind == "reset" {
			_ = tc.SetLinger(0) // close with RST
		}
		_ = conn.Close()
	case "malformed":
		data := encodeBody(rep.MediaType, rep.Value)
		if len(data) < 2 {
			data = []byte(`{"`)
		}
		s.writeHead(w, x, rep, len(data)/2)
		_, _ = w.Write(data[:len(data)/2])
	case "trickle":
		data := encodeBody(rep.MediaType, rep.Value)
		s.writeHead(w, x, rep, len(data))
		f, _ := w.(http.Flusher)
		const chunk, pause, budget = 16, 100 * time.Millisecond, 10 * time.Second
		step := pause
		if n := (len(data) + chunk - 1) / chunk; time.Duration(n)*pause > budget {
			step = budget / time.Duration(n) // a large body still trickles within the budget
		}
		for i := 0; i < len(data); i += chunk {
			if _, err := w.Write(data[i:min(i+chunk, len(data))]); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
			wait(r.Context(), step)
			if errors.Is(r.Context().Err(), context.Canceled) {
				return
			}
		}
	}
}

// ParseLatency reads a wait in milliseconds, "250", or a range, "100-300".
func ParseLatency(v string) (min, max time.Duration, err error) {
	d, err := parseDelay(v)
	return d.Min, d.Max, err
}
