package mockserver

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// acceptedEncodings are the content codings a request body may come in, as a 415 lists them
// in Accept-Encoding (RFC 9110 §12.5.3); identity (none) is always accepted.
const acceptedEncodings = "gzip, x-gzip, deflate"

// lateAnswer is how long the answer to a body that did not arrive in time gets to be sent:
// the server's write deadline, set when the request's headers were read, has passed or is
// about to (it is the read deadline's, or sooner, with the default timeouts).
const lateAnswer = 5 * time.Second

// DefaultBodiesInFlight is Config.BodiesInFlight when unset: with BodyWeight 8, 32 MiB of
// request bodies handled at once (three of the largest the mock accepts by default), far more
// than a test suite sends, far less than a laptop has.
const DefaultBodiesInFlight = 256 << 20

// BodyWeight is what a body's byte costs while its request is handled, as measured with large
// JSON bodies written to the state: the buffer it is read into (grown by doubling), the value
// validation decodes from it, the record stored and the answer encoded from it.
const BodyWeight = 8

// bodyBudget bounds the memory the request bodies handled at once take together. Safe for
// concurrent use.
type bodyBudget struct {
	used atomic.Int64
	max  int64
}

// take reserves n bytes, reporting whether they fit.
func (b *bodyBudget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

// fits reports whether n bytes would fit now.
func (b *bodyBudget) fits(n int64) bool { return b.used.Load()+n <= b.max }

// give returns n bytes taken.
func (b *bodyBudget) give(n int64) {
	if n != 0 {
		b.used.Add(-n)
	}
}

// errBusy is a body refused because the bodies being handled already take the budget.
var errBusy = errors.New("the mock is reading too many request bodies at once")

// budgetReader takes from budget what it reads, weighed, keeping the count in held.
type budgetReader struct {
	r      io.Reader
	budget *bodyBudget
	held   int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		if !b.budget.take(int64(n) * BodyWeight) {
			return 0, errBusy
		}
		b.held += int64(n) * BodyWeight
	}
	return n, err
}

// readBody reads the whole body, bounded by limit, and decodes its content coding (gzip,
// x-gzip, deflate), so that what follows sees the body the client meant; limit bounds the
// body both as sent and decoded. A body that cannot be read is answered with a problem: 413
// past the limit (a declared Content-Length past it before anything is read; a decoded body
// past it before it is all inflated), 415 for a coding the mock does not decode, 408 when the
// client is too slow to send it (the server's read timeout), 400 when the connection breaks,
// the chunked encoding is corrupt or the coding's stream is.
//
// What the body holds is taken from budget, and returned as held (to give back once the
// request is answered, whatever the outcome); past the budget, the answer is a 503.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, budget *bodyBudget) (data []byte, held int64, p *problem) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, 0, nil
	}
	coding, p := contentCoding(w, r.Header)
	if p != nil {
		return nil, 0, p
	}
	if r.ContentLength > limit {
		// Refused as it is announced: nothing is read. The rest of the body is not read
		// either, so the connection cannot carry another request.
		w.Header().Set("Connection", "close")
		return nil, 0, newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes (Content-Length: %d)", limit, r.ContentLength))
	}
	if r.ContentLength > 0 && coding == "" && !budget.fits(r.ContentLength*BodyWeight) {
		// A declared body that cannot fit now is refused at once, without reading it. One
		// that fits takes its share as it arrives: a client that sends its headers and then
		// nothing holds none.
		return nil, 0, bodyProblem(w, errBusy, 0, limit)
	}
	wire := &wireReader{r: http.MaxBytesReader(w, r.Body, limit)}
	if coding == "" {
		in := &budgetReader{r: wire, budget: budget}
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, in.held, bodyProblem(w, err, len(data), limit)
		}
		return data, in.held, nil
	}
	return readCoded(w, wire, coding, limit, budget)
}

// readCoded reads a body sent in coding from wire, decoded, taking what it holds from budget.
func readCoded(w http.ResponseWriter, wire *wireReader, coding string, limit int64, budget *bodyBudget) ([]byte, int64, *problem) {
	dec, err := decoder(coding, wire)
	if err != nil {
		return nil, 0, codedProblem(w, wire, coding, err, limit)
	}
	// One byte past the limit tells a body at the limit from a larger one, without inflating
	// more of a zip bomb than that.
	in := &budgetReader{r: io.LimitReader(dec, min(limit, math.MaxInt64-1)+1), budget: budget}
	data, err := io.ReadAll(in)
	switch {
	case errors.Is(err, errBusy):
		return nil, in.held, bodyProblem(w, err, len(data), limit)
	case err != nil:
		return nil, in.held, codedProblem(w, wire, coding, err, limit)
	case int64(len(data)) > limit:
		w.Header().Set("Connection", "close")
		return nil, in.held, newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes once decoded (Content-Encoding: %s)", limit, coding))
	}
	return data, in.held, nil
}

// codedProblem is the answer to a coded body that could not be decoded (err); nil for an empty
// one.
func codedProblem(w http.ResponseWriter, wire *wireReader, coding string, err error, limit int64) *problem {
	switch {
	case wire.err != nil: // the body did not arrive whole: the coding is not to blame
		return bodyProblem(w, wire.err, wire.n, limit)
	case errors.Is(err, io.EOF) && wire.n == 0: // an empty body: nothing was coded
		return nil
	}
	return newProblem(http.StatusBadRequest, fmt.Sprintf("the request body is not valid %s (its Content-Encoding): %v", coding, err))
}

// wireReader reads the body as sent, keeping what went wrong with it (not its end) and how
// much arrived, for a decoder's error to be told from the connection's.
type wireReader struct {
	r   io.Reader
	n   int
	err error
}

func (w *wireReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.n += n
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}

// contentCoding returns the coding the body comes in ("" for none, "gzip" for x-gzip too), or
// the 415 for one the mock does not decode: another coding, or several applied in turn.
func contentCoding(w http.ResponseWriter, h http.Header) (string, *problem) {
	var codings []string
	for _, v := range h.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	var msg string
	switch {
	case len(codings) == 0:
		return "", nil
	case len(codings) > 1:
		msg = fmt.Sprintf("Content-Encoding %q applies several codings in turn, which the mock does not decode", strings.Join(codings, ", "))
	case codings[0] == "gzip" || codings[0] == "x-gzip":
		return "gzip", nil
	case codings[0] == "deflate":
		return "deflate", nil
	default:
		msg = fmt.Sprintf("Content-Encoding %q is not supported", codings[0])
	}
	w.Header().Set("Accept-Encoding", acceptedEncodings)
	return "", newProblem(http.StatusUnsupportedMediaType, msg+": send the body as it is (identity) or in one of "+acceptedEncodings)
}

// decoder reads the body r as coded. deflate is the zlib format (RFC 9110 §8.4.1.2); a raw
// deflate stream, as some clients send, is read too, told apart by the zlib header (RFC 1950:
// method 8, a window of at most 32 KiB, a check that the two bytes are a multiple of 31).
func decoder(coding string, r io.Reader) (io.Reader, error) {
	if coding == "gzip" {
		return gzip.NewReader(r)
	}
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	switch {
	case err != nil && len(h) == 0:
		return nil, err
	case len(h) == 2 && h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint(h[0])<<8|uint(h[1]))%31 == 0:
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// bodyProblem is the answer to a body that could not be read whole (n bytes of it were).
func bodyProblem(w http.ResponseWriter, err error, n int, limit int64) *problem {
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		w.Header().Set("Connection", "close")
		return newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
	case errors.Is(err, errBusy):
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "1")
		return newProblem(http.StatusServiceUnavailable, err.Error()+": try again in a moment")
	case errors.As(err, &ne) && ne.Timeout():
		// The server's write deadline was set with the read deadline, from when the request's
		// headers were read: with the write timeout no longer than the read timeout (the
		// default), it has passed, or is about to, when the read deadline does. Without more
		// time, the answer would be written after it and the client would get a closed
		// connection, not the 408.
		writeBy(w, lateAnswer)
		w.Header().Set("Connection", "close")
		return newProblem(http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive in time (%d bytes read)", n))
	}
	w.Header().Set("Connection", "close")
	return newProblem(http.StatusBadRequest, "the request body could not be read: "+err.Error())
}
