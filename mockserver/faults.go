package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mockserver/mockserver/mockserver/scenario"
)

// maxDelay bounds any wait a client, scenario or the configuration asks for.
const maxDelay = 2 * time.Minute

// parseDelay reads "250" (milliseconds) or "100-300" (a range), at most maxDelay.
func parseDelay(v string) (scenario.Delay, error) {
	d, err := scenario.ParseDelay(v)
	if err == nil && d.Max > maxDelay {
		err = fmt.Errorf("delay %q is longer than %s", v, maxDelay)
	}
	return d, err
}

// wait sleeps for d (at most maxDelay) unless the request is cancelled first.
func wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	d = min(d, maxDelay)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
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
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok && kind == "reset" {
			_ = tc.SetLinger(0) // close with RST (a TCP connection, or one wrapped with the method)
		}
		_ = conn.Close()
	case "malformed":
		data := rep.body()
		if len(data) < 2 {
			data = []byte(`{"`)
		}
		s.writeHead(w, x, rep, len(data)/2)
		_, _ = w.Write(data[:len(data)/2])
	case "trickle":
		data := rep.body()
		s.writeHead(w, x, rep, len(data))
		f, _ := w.(http.Flusher)
		const chunk, pause, budget = 16, 100 * time.Millisecond, 10 * time.Second
		s.extendWrite(w, budget)
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
