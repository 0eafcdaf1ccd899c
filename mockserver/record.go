package mockserver

import (
	"log/slog"
	"net/http"
	"time"
)

// record logs one line per request: the operation, the status, what answered, how many
// contract violations the request had.
func (s *Server) record(r *http.Request, x *exchange, rep *reply, start time.Time) {
	if !s.log.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	op, violations := "", 0
	if x != nil {
		op = x.op.ID
		if x.val != nil {
			violations = len(x.val.Violations)
		}
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("operation", op),
		slog.Int("status", rep.Status),
		slog.String("source", rep.Source),
		slog.Int("violations", violations),
		slog.Duration("duration", time.Since(start)),
	)
}
