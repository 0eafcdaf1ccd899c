package mockserver

import (
	"context"
	"net/http"
	"sync/atomic"
)

// Reload builds a new Server from the same configuration, reading the descriptions and
// fixtures as they are now. The new server keeps the state of the resources that still exist
// (every session's writes) and the journal; coverage starts again. The receiver is unchanged
// and keeps serving until the caller swaps: a broken edit leaves it in place.
func (s *Server) Reload(ctx context.Context) (*Server, error) {
	n, err := New(ctx, s.cfg)
	if err != nil {
		return nil, err
	}
	n.store.Adopt(s.store, func(resource string) bool { return n.shapes[resource] != nil })
	n.journal = s.journal
	return n, nil
}

// Live serves a Server that reloads replace atomically: a request is answered entirely by the
// version it started on.
type Live struct {
	cur atomic.Pointer[Server]
}

// NewLive serves s until a reload replaces it.
func NewLive(s *Server) *Live {
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
	n, err := l.cur.Load().Reload(ctx)
	if err != nil {
		return nil, err
	}
	l.cur.Store(n)
	return n, nil
}
